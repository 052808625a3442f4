package dev.eryao.provider;

/**
 * A model's answer and the tokens it is charged for.
 *
 * @param promptTokens     {@code usage.prompt_tokens}, or the {@link TokenEstimate} when {@code usageEstimated}
 * @param completionTokens {@code usage.completion_tokens}, or the {@link TokenEstimate} when {@code usageEstimated}
 * @param finishReason     {@code choices[0].finish_reason} ({@code stop}, {@code length}, ...), or null when the
 *                         model gave none (always null for a cancelled call that was stopped before it)
 * @param usageEstimated   the provider reported no usage, and the counts are upper bounds of ours
 * @param cancelled        the caller stopped the call before the answer ended: {@code content} is what had
 *                         arrived by then
 */
public record Completion(
        String content,
        int promptTokens,
        int completionTokens,
        String finishReason,
        boolean usageEstimated,
        boolean cancelled) {
    /** A whole answer with the provider's usage. */
    public Completion(String content, int promptTokens, int completionTokens) {
        this(content, promptTokens, completionTokens, null, false, false);
    }
}
