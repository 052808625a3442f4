package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.db.PageRequest;
import dev.eryao.models.MessageRole;
import dev.eryao.models.RunStatus;
import dev.eryao.services.InvalidInputException;
import dev.eryao.services.MessageView;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunView;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.Failure;
import dev.eryao.support.FakeLlmServer.Stall;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A run accepted with 202 actually runs: answered, stored, charged once; never lost or doubled. */
class AgentRunsTest {
    private final RunFixture fixture = new RunFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private RunView run(RunFixture.Owner owner, RunAccepted task) {
        return fixture.app.runs().get(owner.user(), task.taskId());
    }

    private long ledgerRowsFor(RunAccepted task) throws Exception {
        return fixture.count(
                "SELECT count(*) FROM points_ledger WHERE reference_type = 'agent_run' AND reference_id = ?",
                task.taskId());
    }

    @Test
    void aRunIsAnsweredStoredAndChargedOnceEndToEnd() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        RunAccepted task = fixture.enqueue(owner, "Plan three days in Lisbon");
        fixture.llm.then(new Answer("Day 1: Alfama.", 1000, 500));

        int performed;
        try (Worker worker = fixture.worker(1, 3)) {
            performed = worker.performDue();
        }

        RunView view = run(owner, task);
        assertThat(performed).isEqualTo(1);
        assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(view.output()).isEqualTo("Day 1: Alfama.");
        assertThat(view.attempts()).isEqualTo(1);
        // 1000 x 1.5 / 1000 + 500 x 2.25 / 1000 = 2.625 points, rounded up
        assertThat(view.inputTokens()).isEqualTo(1000);
        assertThat(view.outputTokens()).isEqualTo(500);
        assertThat(view.costPoints()).isEqualTo(3);
        assertThat(view.chargedPoints()).isEqualTo(3);
        assertThat(view.chargeCapped()).isFalse();
        assertThat(fixture.app.points().balance(owner.user().id())).isEqualTo(97);
        assertThat(ledgerRowsFor(task)).isEqualTo(1);
        assertThat(fixture.app
                        .messages()
                        .list(
                                owner.user(),
                                owner.sessionId(),
                                new dev.eryao.services.MessageService.Selection.All(),
                                PageRequest.oldestFirst(10, null))
                        .items())
                .extracting(MessageView::role, MessageView::content)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(MessageRole.USER, "Plan three days in Lisbon"),
                        org.assertj.core.groups.Tuple.tuple(MessageRole.ASSISTANT, "Day 1: Alfama."));
        assertThat(fixture.llm.received()).singleElement().satisfies(request -> {
            assertThat(request.authorization()).isEqualTo("Bearer " + RunFixture.API_KEY);
            assertThat(request.body().path("model").asText()).isEqualTo("fake-model");
            assertThat(request.body().path("messages").get(0).path("role").asText())
                    .isEqualTo("user");
            assertThat(request.body().path("messages").get(0).path("content").asText())
                    .isEqualTo("Plan three days in Lisbon");
        });
    }

    @Test
    void aFailedAttemptIsRetriedAfterItsBackoffThenSucceedsAndIsChargedOnce() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        RunAccepted task = fixture.enqueue(owner, "hello");
        fixture.llm.then(new Failure(500, "{\"error\":\"overloaded\"}"));

        try (Worker worker = fixture.worker(1, 3)) {
            assertThat(worker.performDue()).isEqualTo(1);
            assertThat(run(owner, task).status()).isEqualTo(RunStatus.QUEUED);
            assertThat(worker.performDue()).as("not due before its backoff").isZero();
            fixture.clock.advance(Duration.ofMillis(RunFixture.BACKOFF_MS + 100));
            assertThat(worker.performDue()).isEqualTo(1);
        }

        RunView view = run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(view.attempts()).isEqualTo(2);
        assertThat(ledgerRowsFor(task)).isEqualTo(1);
        assertThat(fixture.app.points().balance(owner.user().id())).isEqualTo(100 - view.chargedPoints());
    }

    @Test
    void aRunThatKeepsFailingEndsFailedWithTheErrorAndChargesNothing() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        RunAccepted task = fixture.enqueue(owner, "hello");
        fixture.llm.byDefault(new Failure(503, "{\"error\":\"unavailable\"}"));

        try (Worker worker = fixture.worker(1, 3)) {
            for (int attempt = 1; attempt <= 3; attempt++) {
                assertThat(worker.performDue()).isEqualTo(1);
                fixture.clock.advance(Duration.ofMinutes(1));
            }
            assertThat(worker.performDue()).isZero();
        }

        RunView view = run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.FAILED);
        assertThat(view.attempts()).isEqualTo(3);
        assertThat(view.error()).contains("answered 503");
        assertThat(view.chargedPoints()).isNull();
        assertThat(ledgerRowsFor(task)).isZero();
        assertThat(fixture.app.points().balance(owner.user().id())).isEqualTo(100);
    }

    @Test
    void anAnswerThatCannotPassFailsAtOnceWithoutRetrying() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        RunAccepted task = fixture.enqueue(owner, "hello");
        fixture.llm.then(new Failure(401, "{\"error\":\"invalid api key\"}"));

        try (Worker worker = fixture.worker(1, 3)) {
            worker.performDue();
        }

        assertThat(run(owner, task).status()).isEqualTo(RunStatus.FAILED);
        assertThat(run(owner, task).attempts()).isEqualTo(1);
        assertThat(run(owner, task).error()).contains("401", "invalid api key");
    }

    @Test
    void withoutAReachableModelRunsFailWithAClearError() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        fixture.llm.close(); // nothing listens at the model's request_url any more
        RunAccepted task = fixture.enqueue(owner, "hello");

        try (Worker worker = fixture.worker(1, 1)) {
            worker.performDue();
        }

        assertThat(run(owner, task).status()).isEqualTo(RunStatus.FAILED);
        assertThat(run(owner, task).error())
                .startsWith("cannot reach the model " + fixture.factoryName + "/fake-model")
                .doesNotContain(fixture.llm.url());
        assertThat(fixture.app.points().balance(owner.user().id())).isEqualTo(100);
    }

    @Test
    void aWorkerThatDiesMidRunLosesItsLeaseAndTheRunCompletesOnceAndIsChargedOnce() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        RunAccepted task = fixture.enqueue(owner, "hello");
        CountDownLatch release = new CountDownLatch(1);
        fixture.llm.then(new Stall(release, new Answer("late answer from the dead worker", 1000, 500)));
        Worker dying = fixture.worker(1, 3);
        Worker rescuing = fixture.worker(1, 3);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> stuck = thread.submit(dying::performDue);
            assertThat(fixture.llm.awaitFirstRequest(10))
                    .as("the first worker is waiting for the model")
                    .isTrue();

            fixture.clock.advance(Duration.ofSeconds(RunFixture.LEASE_SECONDS + 1));
            assertThat(rescuing.rescueOnce()).isEqualTo(1);
            assertThat(rescuing.performDue()).isEqualTo(1);
            release.countDown(); // the first worker's answer arrives after its lease was lost
            stuck.get(10, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            thread.shutdownNow();
            dying.close();
            rescuing.close();
        }

        RunView view = run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(view.attempts()).isEqualTo(2);
        assertThat(view.output()).isEqualTo("Hello from the fake model.");
        assertThat(ledgerRowsFor(task)).isEqualTo(1);
        assertThat(fixture.count(
                        "SELECT count(*) FROM agent_chat_message WHERE session_id = ? AND role = 'assistant'",
                        owner.sessionId()))
                .isEqualTo(1);
        assertThat(fixture.llm.received()).hasSize(2);
        assertThat(fixture.app.points().account(owner.user().id()))
                .as("charged once from the hold, which is released")
                .extracting(a -> a.balance(), a -> a.held())
                .containsExactly(100 - view.chargedPoints(), 0L);
    }

    @Test
    void aRunWhoseLeaseExpiresOnItsLastAttemptIsFailed() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        RunAccepted task = fixture.enqueue(owner, "hello");
        CountDownLatch release = new CountDownLatch(1);
        fixture.llm.then(new Stall(release, new Answer("too late", 1, 1)));
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (Worker dying = fixture.worker(1, 1);
                Worker rescuing = fixture.worker(1, 1)) {
            Future<Integer> stuck = thread.submit(dying::performDue);
            assertThat(fixture.llm.awaitFirstRequest(10)).isTrue();
            fixture.clock.advance(Duration.ofSeconds(RunFixture.LEASE_SECONDS + 1));
            assertThat(rescuing.rescueOnce()).isEqualTo(1);
            release.countDown();
            stuck.get(10, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            thread.shutdownNow();
        }

        assertThat(run(owner, task).status()).isEqualTo(RunStatus.FAILED);
        assertThat(run(owner, task).error()).contains("lease expire");
        assertThat(ledgerRowsFor(task)).isZero();
        assertThat(fixture.app.points().account(owner.user().id()))
                .as("the rescue that failed the run released its hold; the late answer changed nothing")
                .extracting(a -> a.balance(), a -> a.held())
                .containsExactly(100L, 0L);
    }

    @Test
    void aRunWithNoModelChosenIsRefusedAtEnqueueAndNothingIsWritten() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        var session = fixture.app.sessions().create(owner.user(), "no model", null);

        assertThatThrownBy(() -> fixture.app.runs().enqueue(owner.user(), session.id(), "hello", null, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("llm_id")
                .hasMessageContaining("no model");

        assertThat(fixture.count("SELECT count(*) FROM agent_run WHERE session_id = ?", session.id()))
                .isZero();
        assertThat(fixture.count("SELECT count(*) FROM agent_chat_message WHERE session_id = ?", session.id()))
                .isZero();
        assertThat(fixture.app.points().account(owner.user().id()).held()).isZero();
    }

    @Test
    void messagesOfTheSessionAreSentAsContextOldestFirst() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        fixture.enqueue(owner, "first question");
        try (Worker worker = fixture.worker(1, 3)) {
            worker.performDue();
            fixture.enqueue(owner, "second question");
            worker.performDue();
        }

        List<String> roles =
                fixture.llm.received().getLast().body().path("messages").findValuesAsText("role");
        List<String> contents =
                fixture.llm.received().getLast().body().path("messages").findValuesAsText("content");
        assertThat(roles).containsExactly("user", "assistant", "user");
        assertThat(contents).containsExactly("first question", "Hello from the fake model.", "second question");
    }
}
