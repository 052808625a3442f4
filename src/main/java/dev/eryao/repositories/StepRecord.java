package dev.eryao.repositories;

import java.time.Instant;

/**
 * A step of a run as it is recorded: a model call ({@code kind} model: its text, its calls as a
 * JSON list, its usage and charge) or a tool call ({@code kind} tool: the call's tool, id,
 * arguments and result, an error or not, and its charge).
 */
public record StepRecord(
        int index,
        String kind,
        String content,
        String toolCallsJson,
        String toolName,
        String toolCallId,
        String arguments,
        String result,
        boolean error,
        Integer inputTokens,
        Integer outputTokens,
        boolean usageEstimated,
        long pointsCharged,
        Instant startedAt,
        Instant finishedAt) {
    public static final String MODEL = "model";
    public static final String TOOL = "tool";
}
