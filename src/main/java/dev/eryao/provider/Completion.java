package dev.eryao.provider;

import java.util.List;

/**
 * A model's answer and the tokens it is charged for.
 *
 * @param promptTokens     {@code usage.prompt_tokens}, or the {@link TokenEstimate} when {@code usageEstimated}
 * @param completionTokens {@code usage.completion_tokens}, or the {@link TokenEstimate} when {@code usageEstimated}
 * @param finishReason     {@code choices[0].finish_reason} ({@code stop}, {@code length}, {@code tool_calls},
 *                         ...), or null when the model gave none (always null for a cancelled call that was
 *                         stopped before it)
 * @param usageEstimated   the provider reported no usage, and the counts are upper bounds of ours
 * @param cancelled        the caller stopped the call before the answer ended: {@code content} is what had
 *                         arrived by then (and {@code toolCalls} is empty: a call cut short is never made)
 * @param toolCalls        the tools the model asked to call, in the order of their index; empty when it
 *                         answered without any
 */
public record Completion(
        String content,
        int promptTokens,
        int completionTokens,
        String finishReason,
        boolean usageEstimated,
        boolean cancelled,
        List<ToolCall> toolCalls) {
    public Completion {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /** An answer without tool calls. */
    public Completion(
            String content,
            int promptTokens,
            int completionTokens,
            String finishReason,
            boolean usageEstimated,
            boolean cancelled) {
        this(content, promptTokens, completionTokens, finishReason, usageEstimated, cancelled, List.of());
    }

    /** A whole answer with the provider's usage. */
    public Completion(String content, int promptTokens, int completionTokens) {
        this(content, promptTokens, completionTokens, null, false, false);
    }

    /** Whether the model asked for tools: the loop performs them and asks again. */
    public boolean callsTools() {
        return !toolCalls.isEmpty();
    }
}
