package dev.eryao.provider;

import java.util.List;

/**
 * One call to a model, as {@link ChatCompletionsClient#stream} sends it.
 *
 * @param factoryName   whose API key to send ({@code ERYAO_LLM__<FACTORY>__API_KEY}), if one is set; with
 *                      {@code modelCode}, how failures name the model to its run's owner
 * @param maxTokens     the output cap, sent as {@code max_tokens}; an estimated output never exceeds it, and
 *                      it bounds what is read back ({@link AnswerLimits})
 * @param contextTokens the model's window from the catalog, or null when it gives none: an estimated
 *                      prompt never exceeds it
 */
public record ChatRequest(
        String requestUrl,
        String factoryName,
        String modelCode,
        List<ChatMessage> messages,
        int maxTokens,
        Integer contextTokens) {
    public ChatRequest {
        messages = List.copyOf(messages);
    }
}
