package dev.eryao.repositories;

import java.util.UUID;

/**
 * A claimed run: which one, which attempt this claim is, and what the worker needs of the row
 * (returned by the claim itself, so the row is not read twice).
 *
 * @param llmId      null when neither the run nor its session chose a model
 * @param heldPoints what the run holds of its owner's points as it is claimed
 * @param input      the run's own input (the newest message the model is sent)
 * @param questionId the user message the run answers, whose chain is the run's context (null only
 *                   for a run older than questions were recorded: its input alone is sent)
 * @param maxSteps   the most model steps the run may take (null: accepted before runs had the limit)
 * @param maxPoints  the most the whole run may cost (null: no cap of its own)
 * @param toolSelectionJson the registered tools it may use, a JSON list of names (null: none)
 * @param traceParent the W3C traceparent of the request that accepted it, which the attempt's spans
 *                    continue (null: that request was not traced)
 * @param parks      how many of its earlier attempts ended parked (not failures: its retries are
 *                   {@code attempt - parks})
 * @param pendingCallsJson the calls it last parked on, with its owner's decisions and outputs (null: none)
 * @param clientToolsJson  the tools its client performs, as it declared them (null: none)
 */
public record RunClaim(
        UUID runId,
        int attempt,
        UUID sessionId,
        UUID ownerId,
        UUID llmId,
        long heldPoints,
        String input,
        UUID questionId,
        Integer maxSteps,
        Long maxPoints,
        String toolSelectionJson,
        String traceParent,
        int parks,
        String pendingCallsJson,
        String clientToolsJson) {
    /** Which try this is, not counting the attempts that ended parked: what the retry limit counts. */
    public int tries() {
        return attempt - parks;
    }
}
