package dev.eryao.services;

import dev.eryao.provider.ChatMessage;
import dev.eryao.provider.ToolCall;
import dev.eryao.repositories.ContextStep;
import dev.eryao.repositories.StepRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An earlier run's tool calls and results as a later run's context carries them, between that
 * run's question and its answer: each model step that asked for tools as the assistant's message
 * with its calls, followed by the results of those calls, as its model was sent them.
 *
 * <p>Providers refuse a call without its result (and a result without its call), and a run can end
 * between the two (a limit or a cancel stopped it while its calls were performed): a call no step
 * answered is left out of its message, and a message none of whose calls was answered is left out.
 */
final class TurnSteps {
    private TurnSteps() {}

    /** @param steps one run's model steps that asked for tools and its tool steps, in step order */
    static List<ChatMessage> of(List<ContextStep> steps) {
        List<ChatMessage> messages = new ArrayList<>();
        Asked asked = null;
        for (ContextStep step : steps) {
            if (StepRecord.MODEL.equals(step.kind())) {
                if (asked != null) {
                    asked.addTo(messages);
                }
                asked = new Asked(
                        step.content(),
                        StepView.calls(step.toolCallsJson()).stream()
                                .map(call -> new ToolCall(call.id(), call.name(), call.arguments()))
                                .toList());
            } else if (asked != null) {
                asked.answer(step);
            }
        }
        if (asked != null) {
            asked.addTo(messages);
        }
        return List.copyOf(messages);
    }

    /** A model step's calls and the results recorded for them so far. */
    private static final class Asked {
        private final String content;
        private final List<ToolCall> calls;
        private final Set<String> answered = new HashSet<>();
        private final List<ChatMessage> results = new ArrayList<>();

        Asked(String content, List<ToolCall> calls) {
            this.content = content == null ? "" : content;
            this.calls = calls;
        }

        void answer(ContextStep step) {
            String id = step.toolCallId();
            boolean asked = calls.stream().anyMatch(call -> Objects.equals(call.id(), id));
            if (asked && answered.add(id)) {
                results.add(ChatMessage.toolResult(id, step.result() == null ? "" : step.result()));
            }
        }

        void addTo(List<ChatMessage> messages) {
            if (results.isEmpty()) {
                return;
            }
            messages.add(ChatMessage.assistantCalls(
                    content,
                    calls.stream().filter(call -> answered.contains(call.id())).toList()));
            messages.addAll(results);
        }
    }
}
