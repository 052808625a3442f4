package dev.eryao.llm;

/**
 * A model's answer and the usage it reported.
 *
 * @param promptTokens     {@code usage.prompt_tokens}
 * @param completionTokens {@code usage.completion_tokens}
 */
public record Completion(String content, int promptTokens, int completionTokens) {
}
