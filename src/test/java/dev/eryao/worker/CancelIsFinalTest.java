package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.db.PageRequest;
import dev.eryao.models.RunStatus;
import dev.eryao.services.MessageView;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunContext;
import dev.eryao.services.RunExecutionService;
import dev.eryao.services.RunView;
import dev.eryao.support.FakeLlmServer.Failure;
import dev.eryao.support.FakeLlmServer.Stall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A cancel is final: a run whose stop was requested is never claimed again, whichever comes first,
 * the cancel or a failure its attempt meets that would otherwise be retried.
 */
class CancelIsFinalTest {
    private static final String UNAVAILABLE = "{\"error\":{\"message\":\"overloaded\"}}";

    private final RunFixture fixture = new RunFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void aRetryableFailureOfARunWhoseStopWasRequestedEndsItCancelledKeepingWhatWasWritten() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        RunAccepted task = fixture.enqueue(owner, "hello");
        RunExecutionService runs = fixture.app.runExecution(fixture.settings(1, 3));
        RunContext attempt = runs.claimNext("worker-a", fixture.clock.instant()).orElseThrow();

        assertThat(fixture.app.runs().cancel(owner.user(), task.taskId()).status())
                .isEqualTo(RunStatus.RUNNING);
        assertThat(runs.fail(
                        attempt, "worker-a", "the model answered 503", true, "Half an an", fixture.clock.instant()))
                .isTrue();

        RunView view = fixture.app.runs().get(owner.user(), task.taskId());
        assertThat(view.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(view.output()).isEqualTo("Half an an");
        assertThat(view.error()).contains("cancelled by its owner").contains("503");
        assertThat(view.chargedPoints()).as("a failed attempt is never charged").isNull();
        assertThat(fixture.app.points().account(owner.user().id()).held()).isZero();
        List<MessageView> messages = fixture.app
                .messages()
                .list(
                        owner.user(),
                        owner.sessionId(),
                        new dev.eryao.services.MessageService.Selection.CurrentBranch(),
                        PageRequest.oldestFirst(10, null))
                .items();
        assertThat(messages.getLast().content()).isEqualTo("Half an an");
        assertThat(messages.getLast().stopped()).isTrue();
        assertThat(messages.getLast().runId()).isEqualTo(task.taskId());
        assertThat(fixture.strings(
                        "SELECT stopped::text FROM agent_chat_message WHERE session_id = ?" + " AND role = 'assistant'",
                        owner.sessionId()))
                .containsExactly("true");

        fixture.clock.advance(Duration.ofHours(1));
        assertThat(runs.claimNext("worker-b", fixture.clock.instant()))
                .as("never claimed again")
                .isEmpty();
    }

    @Test
    void aCancelRacingRetryableFailuresAgainAndAgainIsNeverLost() throws Exception {
        RunFixture.Owner owner = fixture.owner(10_000);
        try (Worker worker = fixture.worker(1, 3)) {
            worker.start();
            for (int i = 0; i < 25; i++) {
                CountDownLatch release = new CountDownLatch(1);
                fixture.llm.then(new Stall(release, new Failure(503, UNAVAILABLE)));
                int requestsBefore = fixture.llm.received().size();
                RunAccepted task = fixture.enqueue(owner, "race " + i);
                awaitRequests(requestsBefore + 1);

                RunView cancelled = fixture.app.runs().cancel(owner.user(), task.taskId());
                release.countDown(); // the 503 now races the worker's next look at the run

                RunView ended = awaitEnded(owner, task);
                assertThat(ended.status()).as("run %d", i).isEqualTo(RunStatus.CANCELLED);
                assertThat(ended.attempts())
                        .as("run %d is never claimed after its cancel", i)
                        .isEqualTo(cancelled.attempts())
                        .isEqualTo(1);
            }
        }
        assertThat(fixture.count(
                        "SELECT count(*) FROM points_ledger WHERE owner_id = ? AND reference_type = 'agent_run'",
                        owner.user().id()))
                .as("nothing charged")
                .isZero();
        assertThat(fixture.app.points().account(owner.user().id()).held()).isZero();
    }

    @Test
    void aStormOfCancelsOverRunsThatKeepFailingRetryablyLosesNone() throws Exception {
        RunFixture.Owner owner = fixture.owner(100_000);
        fixture.llm.byDefault(new Failure(503, UNAVAILABLE));
        Random random = new Random(21);
        List<RunAccepted> tasks = new ArrayList<>();
        Map<UUID, RunView> atCancel = new HashMap<>();
        try (Worker worker = fixture.worker(4, 3)) {
            worker.start();
            for (int i = 0; i < 40; i++) {
                tasks.add(fixture.enqueue(owner, "storm " + i));
            }
            for (RunAccepted task : tasks) {
                Thread.sleep(random.nextInt(60));
                try {
                    atCancel.put(task.taskId(), fixture.app.runs().cancel(owner.user(), task.taskId()));
                } catch (dev.eryao.services.ConflictException failedAlready) {
                    // its attempts ran out before the cancel came: nothing to stop
                }
            }
            for (RunAccepted task : tasks) {
                RunView ended = awaitEnded(owner, task);
                RunView cancel = atCancel.get(task.taskId());
                if (cancel != null) {
                    assertThat(ended.status())
                            .as("%s was cancelled", task.taskId())
                            .isEqualTo(RunStatus.CANCELLED);
                    assertThat(ended.attempts())
                            .as("%s is never claimed after its cancel", task.taskId())
                            .isEqualTo(cancel.attempts());
                } else {
                    assertThat(ended.status()).isEqualTo(RunStatus.FAILED);
                }
            }
        }
        assertThat(atCancel)
                .as("the storm cancels most runs while they are open")
                .hasSizeGreaterThan(20);
        assertThat(fixture.app.points().account(owner.user().id()).held()).isZero();
    }

    private void awaitRequests(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (fixture.llm.received().size() < count) {
            assertThat(System.nanoTime()).as("the model is called").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private RunView awaitEnded(RunFixture.Owner owner, RunAccepted task) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            RunView view = fixture.app.runs().get(owner.user(), task.taskId());
            if (view.status().finished()) {
                return view;
            }
            assertThat(System.nanoTime()).as("run %s ends", task.taskId()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
