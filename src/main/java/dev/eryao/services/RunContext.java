package dev.eryao.services;

import dev.eryao.provider.ChatMessage;
import dev.eryao.provider.Completion;
import dev.eryao.repositories.RunClaim;
import java.util.List;
import java.util.UUID;

/**
 * Everything a worker needs to perform one claimed run outside any transaction: which attempt it
 * holds, the model to call and its price terms, the session's conversation so far, and what the
 * run holds of its owner's points.
 *
 * @param promptTokenBound the most prompt tokens {@code messages} can be ({@link RunPrice})
 * @param heldPoints       the run's hold, already raised to cover this conversation
 * @param problem          why the run cannot be performed at all (no model chosen, the model was
 *                         removed, too few points for its conversation), or null
 */
public record RunContext(
        RunClaim claim,
        UUID ownerId,
        UUID sessionId,
        String requestUrl,
        String factoryName,
        String modelCode,
        RunPrice price,
        List<ChatMessage> messages,
        long promptTokenBound,
        long heldPoints,
        String problem) {
    public RunContext {
        messages = List.copyOf(messages);
    }

    static RunContext unusable(RunClaim claim, String problem) {
        return new RunContext(
                claim,
                claim.ownerId(),
                claim.sessionId(),
                null,
                null,
                null,
                null,
                List.of(),
                0,
                claim.heldPoints(),
                problem);
    }

    /** The run this attempt performs. */
    public UUID runId() {
        return claim.runId();
    }

    /** Which attempt this is (1 for the first). */
    public int attempt() {
        return claim.attempt();
    }

    /** The {@code max_tokens} to send. */
    public int outputCap() {
        return price.outputCap();
    }

    /** Why the completion's usage cannot be charged (a provider error), or null when it can. */
    public String usageProblem(Completion completion) {
        return price.checkUsage(completion.promptTokens(), completion.completionTokens());
    }
}
