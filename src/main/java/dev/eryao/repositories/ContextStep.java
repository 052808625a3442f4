package dev.eryao.repositories;

import java.util.UUID;

/**
 * A recorded step of an earlier run as a later run's context needs it: a model step that asked for
 * tools (its text and calls) or a tool step (the call it answers and its result).
 *
 * @param kind          {@link StepRecord#MODEL} or {@link StepRecord#TOOL}
 * @param toolCallsJson a model step's calls, as recorded (a JSON list of {id, name, arguments})
 */
public record ContextStep(
        UUID runId, String kind, String content, String toolCallsJson, String toolCallId, String result) {}
