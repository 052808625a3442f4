package dev.eryao.services;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.models.AgentRunStep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One recorded step of a run ({@code GET /v1/agent/runs/{task_id}/steps}): a model call, with
 * the text it wrote, the tool calls it asked for, its usage and what it was charged; or a tool call,
 * with its tool, call id, arguments (as the model wrote them) and result or error, and what it was
 * charged. Arguments and results are data, never instructions.
 *
 * @param kind   {@code model} or {@code tool}
 * @param result a tool's result, or its error when {@code error} is true
 */
public record StepView(
        int index,
        String kind,
        int attempt,
        @Nullable String content,
        List<ToolCallView> toolCalls,
        @Nullable String tool,
        @Nullable String toolCallId,
        @Nullable String arguments,
        @Nullable String result,
        boolean error,
        @Nullable Integer inputTokens,
        @Nullable Integer outputTokens,
        boolean usageEstimated,
        long pointsCharged,
        Instant startedAt,
        Instant finishedAt) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A call a model step asked for: its id, the tool's name and the arguments as the model wrote them. */
    public record ToolCallView(String id, String name, String arguments) {}

    public StepView {
        toolCalls = List.copyOf(toolCalls);
    }

    static StepView of(AgentRunStep step) {
        return new StepView(
                step.getStepIndex(),
                step.getKind(),
                step.getAttempt(),
                step.getContent(),
                calls(step.getToolCalls()),
                step.getToolName(),
                step.getToolCallId(),
                step.getArguments(),
                step.getResult(),
                step.isError(),
                step.getInputTokens(),
                step.getOutputTokens(),
                step.isUsageEstimated(),
                step.getPointsCharged(),
                step.getStartedAt(),
                step.getFinishedAt());
    }

    /** Whether this is a call of the run's model (else of a tool). */
    public boolean modelStep() {
        return dev.eryao.repositories.StepRecord.MODEL.equals(kind);
    }

    static String callsJson(List<ToolCallView> calls) {
        try {
            return JSON.writeValueAsString(calls);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<ToolCallView> calls(String json) {
        if (json == null || json.isEmpty()) {
            return List.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<List<ToolCallView>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException("a step's recorded tool calls cannot be read", e);
        }
    }
}
