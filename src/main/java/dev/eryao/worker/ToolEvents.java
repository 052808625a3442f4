package dev.eryao.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.models.AgentRunDelta;
import dev.eryao.provider.ToolCall;
import dev.eryao.services.StepView;
import dev.eryao.services.tools.ToolOutcome;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts a run's tool calls and their results into its stream's log, through the answer's writer so
 * that they are numbered in order with the text: {@code tool_call} {@code {"id", "tool",
 * "arguments"}} once a model step that asked for it is recorded, {@code tool_result} {@code {"id",
 * "tool", "result", "error"}} once its tool step is. A retried attempt's log starts afresh, so it
 * first tells again what the recorded steps it continues after said.
 */
final class ToolEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolEvents() {}

    static void call(AnswerWriter answer, ToolCall call) {
        answer.offerEvent(AgentRunDelta.TOOL_CALL, callJson(call.id(), call.name(), call.argumentsJson()));
    }

    static void result(AnswerWriter answer, ToolCall call, ToolOutcome outcome) {
        answer.offerEvent(
                AgentRunDelta.TOOL_RESULT, resultJson(call.id(), call.name(), outcome.content(), outcome.error()));
    }

    /** The recorded steps of earlier attempts, told again at the start of a retried attempt's log. */
    static void replayed(AnswerWriter answer, List<StepView> steps) {
        for (StepView step : steps) {
            if (step.modelStep()) {
                if (step.content() != null) {
                    answer.offer(step.content());
                }
                for (StepView.ToolCallView call : step.toolCalls()) {
                    answer.offerEvent(AgentRunDelta.TOOL_CALL, callJson(call.id(), call.name(), call.arguments()));
                }
            } else {
                answer.offerEvent(
                        AgentRunDelta.TOOL_RESULT,
                        resultJson(step.toolCallId(), step.tool(), step.result(), step.error()));
            }
        }
    }

    private static String callJson(String id, String tool, String arguments) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", id);
        event.put("tool", tool);
        event.put("arguments", arguments);
        return write(event);
    }

    private static String resultJson(String id, String tool, String result, boolean error) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", id);
        event.put("tool", tool);
        event.put("result", result == null ? "" : result);
        event.put("error", error);
        return write(event);
    }

    private static String write(Map<String, Object> event) {
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
