package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.core.config.RunsSettings;
import dev.eryao.models.RunStatus;
import dev.eryao.provider.ToolCall;
import dev.eryao.repositories.ContextStep;
import dev.eryao.repositories.RunStepRepository;
import dev.eryao.services.InvalidInputException;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunPrice;
import dev.eryao.services.RunService;
import dev.eryao.services.RunView;
import dev.eryao.services.StepView;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.CallsTools;
import dev.eryao.support.FakeLlmServer.Failure;
import dev.eryao.support.FakeLlmServer.Streamed;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A run's model calls tools, step by step, over real HTTP from a loopback model that streams tool
 * calls in fragments, against the real database: every step recorded, the loop stopped by its
 * limits, paid step by step under its hold. No tool server is registered here, so every call is a
 * call of a tool the run is not offered: an error result the model sees, never a call.
 */
class ToolLoopTest {
    private final RunFixture fixture = new RunFixture();
    private final RunPrice price = RunFixture.PRICE;

    @AfterEach
    void close() {
        fixture.close();
    }

    private RunAccepted enqueue(RunFixture.Owner owner, String input, Integer maxSteps, Long maxPoints) {
        return fixture.enqueue(owner, new RunService.NewRun(input, null, null, null, null, maxSteps, maxPoints, null));
    }

    private static CallsTools calls(int promptTokens, int completionTokens, ToolCall... calls) {
        return new CallsTools("", List.of(calls), 4, promptTokens, completionTokens, null);
    }

    @Test
    void severalCallsInOneStepAreEachAStepAndTheirResultsGoBackToTheModelUnderTheirIds() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                new CallsTools(
                        "Looking. ",
                        List.of(
                                new ToolCall("call_w", "get_weather", "{\"city\":\"Zürich\"}"),
                                new ToolCall("call_t", "get_time", "{\"zone\":\"UTC\"}")),
                        3,
                        1000,
                        1000,
                        null),
                new Answer("I have no such tools.", 2000, 500));
        RunAccepted task = enqueue(owner, "weather and time?", null, null);

        assertThat(fixture.performDue()).isEqualTo(1);

        RunView view = fixture.run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(view.stopReason()).isEqualTo("end_turn");
        assertThat(view.output()).isEqualTo("I have no such tools.");
        List<StepView> steps = fixture.steps(owner, task);
        assertThat(steps).extracting(StepView::kind).containsExactly("model", "tool", "tool", "model");
        assertThat(steps).extracting(StepView::index).containsExactly(0, 1, 2, 3);
        assertThat(steps.get(0).content()).isEqualTo("Looking. ");
        assertThat(steps.get(0).toolCalls())
                .containsExactly(
                        new StepView.ToolCallView("call_w", "get_weather", "{\"city\":\"Zürich\"}"),
                        new StepView.ToolCallView("call_t", "get_time", "{\"zone\":\"UTC\"}"));
        assertThat(steps.get(1).tool()).isEqualTo("get_weather");
        assertThat(steps.get(1).toolCallId()).isEqualTo("call_w");
        assertThat(steps.get(1).arguments()).isEqualTo("{\"city\":\"Zürich\"}");
        assertThat(steps.get(1).error()).isTrue();
        assertThat(steps.get(1).result()).isEqualTo("no tool named 'get_weather' is offered to this run");
        assertThat(steps.get(2).toolCallId()).isEqualTo("call_t");

        JsonNode second = fixture.llm.received().get(1).body();
        JsonNode messages = second.path("messages");
        JsonNode assistant = messages.get(messages.size() - 3);
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        assertThat(assistant.path("content").asText()).isEqualTo("Looking. ");
        assertThat(assistant.path("tool_calls").path(0).path("id").asText()).isEqualTo("call_w");
        assertThat(assistant
                        .path("tool_calls")
                        .path(1)
                        .path("function")
                        .path("arguments")
                        .asText())
                .isEqualTo("{\"zone\":\"UTC\"}");
        assertThat(messages.get(messages.size() - 2).path("tool_call_id").asText())
                .isEqualTo("call_w");
        assertThat(messages.get(messages.size() - 1).path("tool_call_id").asText())
                .isEqualTo("call_t");
        assertThat(messages.get(messages.size() - 1).path("role").asText()).isEqualTo("tool");

        long first = price.price(1000, 1000);
        long last = price.price(2000, 500);
        assertThat(steps.get(0).pointsCharged()).isEqualTo(first);
        assertThat(steps.get(3).pointsCharged()).isEqualTo(last);
        assertThat(view.chargedPoints()).isEqualTo(first + last);
        assertThat(view.inputTokens()).isEqualTo(3000);
        assertThat(view.outputTokens()).isEqualTo(1500);
        assertThat(fixture.account(owner).balance()).isEqualTo(1_000 - first - last);
        assertThat(fixture.account(owner).held()).isZero();
        assertThat(fixture.count(
                        "SELECT count(*) FROM points_ledger WHERE owner_id = ? AND amount < 0",
                        owner.user().id()))
                .as("one debit for the whole run")
                .isEqualTo(1);
    }

    @Test
    void aModelThatKeepsCallingToolsIsStoppedByMaxSteps() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.byDefault(calls(10, 10, new ToolCall("call_again", "again", "{}")));
        RunAccepted task = enqueue(owner, "loop forever", 3, null);

        assertThat(fixture.performDue()).isEqualTo(1);

        RunView view = fixture.run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(view.stopReason()).isEqualTo("max_steps");
        assertThat(view.maxSteps()).isEqualTo(3);
        assertThat(fixture.llm.received()).hasSize(3);
        assertThat(fixture.steps(owner, task))
                .extracting(StepView::kind)
                .containsExactly("model", "tool", "model", "tool", "model", "tool");
        assertThat(view.chargedPoints()).isEqualTo(3 * price.price(10, 10));
        assertThat(fixture.account(owner).held()).isZero();
    }

    @Test
    void aRunWithoutMaxStepsTakesTheDefaultAndOneAboveTheCeilingIsRefused() {
        RunFixture.Owner owner = fixture.owner(1_000);
        RunAccepted task = enqueue(owner, "hello", null, null);
        assertThat(fixture.run(owner, task).maxSteps()).isEqualTo(RunsSettings.DEFAULT_MAX_STEPS);

        assertThatThrownBy(() -> enqueue(owner, "hello", RunsSettings.DEFAULT_MAX_STEPS_LIMIT + 1, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("max_steps");
        assertThatThrownBy(() -> enqueue(owner, "hello", 0, null)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> enqueue(owner, "hello", null, -1L))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("max_points");
    }

    @Test
    void aRunThatCannotCoverItsThirdStepStopsWithInsufficientPointsChargedExactlyItsTwoSteps() throws Exception {
        // A step may cost its prompt's bound and the whole output cap: hold() of a short prompt.
        long stepHold = price.hold(200);
        long stepPrice = price.price(1000, 1000);
        // Enough for the first two steps' holds (each on top of what the steps before owe), not the third's.
        long points = 2 * stepPrice + stepHold - 1;
        RunFixture.Owner owner = fixture.owner(points);
        fixture.llm.byDefault(calls(1000, 1000, new ToolCall("call_x", "x", "{}")));
        RunAccepted task = enqueue(owner, "go", null, null);

        assertThat(fixture.performDue()).isEqualTo(1);

        RunView view = fixture.run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(view.stopReason()).isEqualTo("insufficient_points");
        assertThat(fixture.llm.received())
                .as("the third model step was never asked")
                .hasSize(2);
        assertThat(view.chargedPoints()).isEqualTo(2 * stepPrice);
        assertThat(fixture.account(owner).balance()).isEqualTo(points - 2 * stepPrice);
        assertThat(fixture.account(owner).held()).isZero();
        assertThat(fixture.account(owner).balance()).isNotNegative();
    }

    @Test
    void maxPointsStopsTheRunBeforeAStepThatCouldPassIt() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        long stepPrice = price.price(1000, 1000);
        fixture.llm.byDefault(calls(1000, 1000, new ToolCall("call_x", "x", "{}")));
        // Room for one step's hold, not for the second on top of what the first owes.
        long cap = price.hold(200) + 1;
        RunAccepted task = enqueue(owner, "go", null, cap);

        assertThat(fixture.performDue()).isEqualTo(1);

        RunView view = fixture.run(owner, task);
        assertThat(view.stopReason()).isEqualTo("max_points");
        assertThat(view.maxPoints()).isEqualTo(cap);
        assertThat(fixture.llm.received()).hasSize(1);
        assertThat(view.chargedPoints()).isEqualTo(stepPrice).isLessThanOrEqualTo(cap);
    }

    @Test
    void aRetriedAttemptContinuesAfterTheRecordedStepsAndPaysNoneTwice() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                calls(1000, 1000, new ToolCall("call_1", "lookup", "{\"q\":\"a\"}")),
                new Failure(503, "{\"error\":{\"message\":\"overloaded\"}}"),
                new Answer("done", 1500, 100));
        RunAccepted task = enqueue(owner, "look it up", null, null);

        try (Worker worker = fixture.worker(1, 3)) {
            assertThat(worker.performDue()).isEqualTo(1);
            assertThat(fixture.run(owner, task).status()).isEqualTo(RunStatus.QUEUED);
            fixture.clock.advance(Duration.ofMillis(RunFixture.BACKOFF_MS));
            assertThat(worker.performDue()).isEqualTo(1);
        }

        RunView view = fixture.run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(view.attempts()).isEqualTo(2);
        List<StepView> steps = fixture.steps(owner, task);
        assertThat(steps).extracting(StepView::kind).containsExactly("model", "tool", "model");
        assertThat(steps).extracting(StepView::attempt).containsExactly(1, 1, 2);
        JsonNode retried = fixture.llm.received().get(2).body().path("messages");
        assertThat(retried.get(retried.size() - 1).path("tool_call_id").asText())
                .as("the retry sends the recorded call's result")
                .isEqualTo("call_1");
        assertThat(view.chargedPoints()).isEqualTo(price.price(1000, 1000) + price.price(1500, 100));
        assertThat(fixture.account(owner).balance()).isEqualTo(1_000 - view.chargedPoints());
    }

    @Test
    void aRunCancelledDuringItsSecondStepKeepsWhatItWroteAndIsChargedItsStepsAndWhatTheStopUsed() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        CountDownLatch hold = new CountDownLatch(1);
        fixture.llm.then(
                calls(1000, 1000, new ToolCall("call_1", "lookup", "{}")),
                new Streamed(List.of("partial ", "answer"), Duration.ZERO, 800, 2, hold));
        RunAccepted task = enqueue(owner, "go", null, null);

        CompletableFuture<Integer> performing = CompletableFuture.supplyAsync(fixture::performDue);
        try {
            assertThat(fixture.llm.awaitFirstPieceSent(30)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (fixture.count(
                            "SELECT count(*) FROM agent_run_delta WHERE run_id = ? AND content LIKE 'partial%'",
                            task.taskId())
                    == 0) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(20);
            }
            fixture.app.runs().cancel(owner.user(), task.taskId());
            assertThat(performing.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        } finally {
            hold.countDown();
        }

        RunView view = fixture.run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(view.stopReason()).isEqualTo("cancelled");
        assertThat(view.output()).isEqualTo("partial ");
        assertThat(fixture.steps(owner, task)).extracting(StepView::kind).containsExactly("model", "tool");
        long first = price.price(1000, 1000);
        assertThat(view.chargedPoints()).isGreaterThan(first);
        assertThat(fixture.account(owner).balance()).isEqualTo(1_000 - view.chargedPoints());
        assertThat(fixture.account(owner).held()).isZero();
    }

    @Test
    void aLaterRunOfTheSessionIsSentTheEarlierRunsToolCallsAndResultsBetweenItsQuestionAndAnswer() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                new CallsTools(
                        "Looking. ",
                        List.of(new ToolCall("call_w", "get_weather", "{\"city\":\"Zürich\"}")),
                        4,
                        100,
                        100,
                        null),
                new Answer("I cannot tell.", 100, 100),
                new Answer("Still no.", 100, 100));
        enqueue(owner, "weather?", null, null);
        assertThat(fixture.performDue()).isEqualTo(1);
        RunAccepted later = enqueue(owner, "and tomorrow?", null, null);

        assertThat(fixture.performDue()).isEqualTo(1);

        assertThat(fixture.run(owner, later).status()).isEqualTo(RunStatus.SUCCEEDED);
        JsonNode messages = fixture.llm.received().get(2).body().path("messages");
        assertThat(messages).hasSize(5);
        assertThat(messages)
                .extracting(m -> m.path("role").asText())
                .containsExactly("user", "assistant", "tool", "assistant", "user");
        assertThat(messages.get(0).path("content").asText()).isEqualTo("weather?");
        JsonNode calls = messages.get(1);
        assertThat(calls.path("content").asText()).isEqualTo("Looking. ");
        assertThat(calls.path("tool_calls")).hasSize(1);
        assertThat(calls.path("tool_calls").path(0).path("id").asText()).isEqualTo("call_w");
        assertThat(calls.path("tool_calls")
                        .path(0)
                        .path("function")
                        .path("name")
                        .asText())
                .isEqualTo("get_weather");
        assertThat(calls.path("tool_calls")
                        .path(0)
                        .path("function")
                        .path("arguments")
                        .asText())
                .isEqualTo("{\"city\":\"Zürich\"}");
        assertThat(messages.get(2).path("tool_call_id").asText()).isEqualTo("call_w");
        assertThat(messages.get(2).path("content").asText())
                .as("the result as the first run's model saw it")
                .isEqualTo(fixture.llm
                        .received()
                        .get(1)
                        .body()
                        .path("messages")
                        .get(2)
                        .path("content")
                        .asText())
                .isEqualTo("no tool named 'get_weather' is offered to this run");
        assertThat(messages.get(3).path("content").asText()).isEqualTo("I cannot tell.");
        assertThat(messages.get(3).has("tool_calls")).isFalse();
        assertThat(messages.get(4).path("content").asText()).isEqualTo("and tomorrow?");
    }

    @Test
    void earlierRunsToolStepsAreReadRunByRunWithinTheirBoundARunCutLeftOutWholeAndOnlyTheOwners() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        RunFixture.Owner stranger = fixture.owner(1_000);
        fixture.llm.then(
                calls(10, 10, new ToolCall("call_a", "a", "{}")),
                new Answer("first", 10, 10),
                calls(10, 10, new ToolCall("call_b", "b", "{}")),
                new Answer("second", 10, 10));
        RunAccepted first = enqueue(owner, "one", null, null);
        assertThat(fixture.performDue()).isEqualTo(1);
        RunAccepted second = enqueue(owner, "two", null, null);
        assertThat(fixture.performDue()).isEqualTo(1);
        var repository = new RunStepRepository(fixture.app.transactions());
        List<UUID> newestFirst = List.of(second.taskId(), first.taskId());

        assertThat(fixture.app
                        .transactions()
                        .fromTransaction(
                                () -> repository.ofRunsForContext(owner.user().id(), newestFirst, 10)))
                .as("the model steps that asked for tools and the tool steps, not the answering steps")
                .extracting(
                        ContextStep::runId,
                        ContextStep::kind,
                        step -> step.kind().equals("tool") ? step.toolCallId() : step.toolCallsJson())
                .containsExactly(
                        tuple(second.taskId(), "model", "[{\"id\":\"call_b\",\"name\":\"b\",\"arguments\":\"{}\"}]"),
                        tuple(second.taskId(), "tool", "call_b"),
                        tuple(first.taskId(), "model", "[{\"id\":\"call_a\",\"name\":\"a\",\"arguments\":\"{}\"}]"),
                        tuple(first.taskId(), "tool", "call_a"));
        for (int limit : new int[] {2, 3}) {
            assertThat(fixture.app
                            .transactions()
                            .fromTransaction(() ->
                                    repository.ofRunsForContext(owner.user().id(), newestFirst, limit)))
                    .as("limit %d: the older run does not fit whole, so none of it is read", limit)
                    .extracting(ContextStep::runId)
                    .containsExactly(second.taskId(), second.taskId());
        }
        assertThat(fixture.app
                        .transactions()
                        .fromTransaction(
                                () -> repository.ofRunsForContext(owner.user().id(), newestFirst, 1)))
                .isEmpty();
        assertThat(fixture.app
                        .transactions()
                        .fromTransaction(() ->
                                repository.ofRunsForContext(stranger.user().id(), newestFirst, 10)))
                .as("another owner's runs give nothing")
                .isEmpty();
    }

    @Test
    void aStepsRouteShowsAnotherOwnerNothing() {
        RunFixture.Owner owner = fixture.owner(1_000);
        RunFixture.Owner stranger = fixture.owner(1_000);
        RunAccepted task = enqueue(owner, "mine", null, null);
        assertThatThrownBy(() -> fixture.app.runs().steps(stranger.user(), task.taskId()))
                .isInstanceOf(dev.eryao.services.NotFoundException.class);
    }
}
