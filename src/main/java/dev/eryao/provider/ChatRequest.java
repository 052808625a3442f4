package dev.eryao.provider;

import java.util.List;

/**
 * One call to a model, as {@link ChatCompletionsClient#stream} sends it.
 *
 * @param factoryName   whose API key to send ({@code ERYAO_LLM__<FACTORY>__API_KEY}), if one is set; with
 *                      {@code modelCode}, how failures name the model to its run's owner
 * @param maxTokens     the output cap, sent as {@code max_tokens}; an estimated output never exceeds it, and
 *                      it bounds what is read back ({@link AnswerLimits}), tool calls' arguments included
 * @param contextTokens the model's window from the catalog, or null when it gives none: an estimated
 *                      prompt never exceeds it
 * @param tools         the tools offered ({@code tools}, with {@code tool_choice: "auto"}); none are sent
 *                      when empty
 */
public record ChatRequest(
        String requestUrl,
        String factoryName,
        String modelCode,
        List<ChatMessage> messages,
        int maxTokens,
        Integer contextTokens,
        List<ToolDefinition> tools) {
    public ChatRequest {
        messages = List.copyOf(messages);
        tools = tools == null ? List.of() : List.copyOf(tools);
    }

    /** A call that offers no tools. */
    public ChatRequest(
            String requestUrl,
            String factoryName,
            String modelCode,
            List<ChatMessage> messages,
            int maxTokens,
            Integer contextTokens) {
        this(requestUrl, factoryName, modelCode, messages, maxTokens, contextTokens, List.of());
    }
}
