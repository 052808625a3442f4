package dev.eryao.services;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.provider.ChatMessage;
import dev.eryao.provider.ToolCall;
import dev.eryao.repositories.ContextStep;
import dev.eryao.repositories.StepRecord;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a later run is sent of an earlier run's steps: never a call without its result, nor a result without its call. */
class TurnStepsTest {
    private static final UUID RUN = UUID.randomUUID();

    private static ContextStep model(String text, ToolCall... calls) {
        List<StepView.ToolCallView> views = List.of(calls).stream()
                .map(call -> new StepView.ToolCallView(call.id(), call.name(), call.argumentsJson()))
                .toList();
        return new ContextStep(RUN, StepRecord.MODEL, text, StepView.callsJson(views), null, null);
    }

    private static ContextStep tool(String callId, String result) {
        return new ContextStep(RUN, StepRecord.TOOL, null, null, callId, result);
    }

    @Test
    void eachModelStepIsSentWithItsCallsFollowedByTheirResultsInOrder() {
        ToolCall a = new ToolCall("call_a", "a", "{\"x\":1}");
        ToolCall b = new ToolCall("call_b", "b", "{}");
        ToolCall c = new ToolCall("call_c", "c", "{}");

        List<ChatMessage> sent = TurnSteps.of(List.of(
                model("Looking. ", a, b),
                tool("call_a", "A"),
                tool("call_b", "B"),
                model(null, c),
                tool("call_c", "C")));

        assertThat(sent)
                .containsExactly(
                        ChatMessage.assistantCalls("Looking. ", List.of(a, b)),
                        ChatMessage.toolResult("call_a", "A"),
                        ChatMessage.toolResult("call_b", "B"),
                        ChatMessage.assistantCalls("", List.of(c)),
                        ChatMessage.toolResult("call_c", "C"));
    }

    @Test
    void aRunThatEndedBetweenCallsIsSentOnlyTheCallsThatHaveResults() {
        ToolCall a = new ToolCall("call_a", "a", "{}");
        ToolCall b = new ToolCall("call_b", "b", "{}");
        ToolCall c = new ToolCall("call_c", "c", "{}");

        List<ChatMessage> sent = TurnSteps.of(List.of(
                model("", a, b),
                tool("call_a", "A"),
                tool("call_x", "a result of no call asked"),
                tool("call_a", "a second result of the same call"),
                model("last", c)));

        assertThat(sent)
                .as("b has no result and c's step none at all: left out; the stray and repeated results too")
                .containsExactly(ChatMessage.assistantCalls("", List.of(a)), ChatMessage.toolResult("call_a", "A"));
    }
}
