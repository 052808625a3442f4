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
        String toolSelectionJson) {}
