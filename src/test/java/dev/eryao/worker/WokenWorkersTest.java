package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.config.WorkerSettings;
import dev.eryao.models.RunStatus;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunContext;
import dev.eryao.services.RunExecutionService;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.Failure;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.hibernate.resource.jdbc.spi.StatementInspector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Workers are woken, not polling: one fetch loop per worker claims as many runs as it has free
 * slots, in one statement, and waits between fetches for an announcement of a run (or a retry of
 * its own falling due), so an idle worker sends the database a claim now and then however many
 * slots it has; and one claim of several runs still takes at most one run of a session.
 *
 * <p>The waits here are failure deadlines, never measurements: the polls are set far longer than
 * them, so only a wake-up can have the run performed in time.
 */
class WokenWorkersTest {
    /** Longer than any deadline here: a worker that polls this rarely can only be woken. */
    private static final Duration NEVER = Duration.ofHours(1);
    /** The longest poll interval there is: what a worker uses while it hears no announcements. */
    private static final Duration SLOW_POLL = Duration.ofSeconds(60);

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    /** Counts the claims and all statements the app sends, on every thread. */
    private static final class Counter implements StatementInspector {
        final AtomicLong claims = new AtomicLong();
        final AtomicLong statements = new AtomicLong();

        @Override
        public String inspect(String sql) {
            statements.incrementAndGet();
            if (sql.contains("FOR UPDATE SKIP LOCKED")) {
                claims.incrementAndGet();
            }
            return sql;
        }
    }

    private final Counter counter = new Counter();
    private final RunFixture fixture = new RunFixture(counter);

    @AfterEach
    void close() {
        fixture.close();
    }

    private WorkerSettings settings(int concurrency, int maxAttempts, Duration pollInterval, Duration fallbackPoll) {
        return new WorkerSettings(
                concurrency,
                Duration.ofSeconds(RunFixture.LEASE_SECONDS),
                pollInterval,
                maxAttempts,
                Duration.ofMillis(RunFixture.BACKOFF_MS),
                fallbackPoll);
    }

    private Worker worker(WorkerSettings settings) {
        return fixture.app.worker(settings, fixture.llmSettings(), fixture.clock);
    }

    /** Waits until the process's LISTEN connection hears announcements; fails the test after the deadline. */
    private void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!fixture.app.runChanges().live()) {
            assertThat(System.nanoTime())
                    .as("the LISTEN connection is up within %s", DEADLINE)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private RunStatus awaitEnd(RunFixture.Owner owner, RunAccepted run) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            RunStatus status =
                    fixture.app.runs().get(owner.user(), run.taskId()).status();
            if (status == RunStatus.SUCCEEDED || status == RunStatus.FAILED || status == RunStatus.CANCELLED) {
                return status;
            }
            assertThat(System.nanoTime())
                    .as("run %s ends within %s (it is %s)", run.taskId(), DEADLINE, status)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void aRunEnqueuedAfterTheWorkerWentIdleIsPerformedAtOnceThoughItWouldPollOnlyHourly() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.byDefault(new Answer("hello", 10, 3));
        try (Worker worker = worker(settings(2, 1, SLOW_POLL, NEVER))) {
            awaitListening();
            worker.start();
            // A first run, so that the fetch loop has looked, found it, and gone back to waiting.
            assertThat(awaitEnd(owner, fixture.enqueue(owner, "first"))).isEqualTo(RunStatus.SUCCEEDED);
            Thread.sleep(500);
            long claimsBefore = counter.claims.get();

            RunAccepted later = fixture.enqueue(owner, "second");
            assertThat(awaitEnd(owner, later))
                    .as("woken by the run's announcement: no poll would come before the deadline")
                    .isEqualTo(RunStatus.SUCCEEDED);
            assertThat(counter.claims.get() - claimsBefore)
                    .as("claims sent for the one run enqueued (its own, and one after its end at most)")
                    .isBetween(1L, 4L);
            // Printed for reading, never asserted: from the enqueue's commit to the claim.
            System.out.printf(
                    "WokenWorkersTest: the run enqueued while idle was claimed %d ms after it was accepted%n",
                    fixture.count(
                            "SELECT (extract(epoch FROM started_at - created_at) * 1000)::bigint"
                                    + " FROM agent_run WHERE id = ?",
                            later.taskId()));
        }
    }

    @Test
    void aRetryItScheduledIsClaimedWhenDueThoughItWouldPollOnlyHourly() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(new Failure(503, "{\"error\":{\"message\":\"busy\"}}"), new Answer("hello", 10, 3));
        try (Worker worker = worker(settings(1, 3, SLOW_POLL, NEVER))) {
            awaitListening();
            // Queued before the start, so that the first fetch finds it: its retry is then the one
            // thing the worker has to be woken for.
            RunAccepted run = fixture.enqueue(owner, "hello");
            worker.start();
            assertThat(awaitEnd(owner, run))
                    .as("its retry, due a backoff after the failure and announced by nobody, is claimed")
                    .isEqualTo(RunStatus.SUCCEEDED);
            assertThat(fixture.app.runs().get(owner.user(), run.taskId()).attempts())
                    .isEqualTo(2);
        }
    }

    @Test
    void anIdleWorkerOfEightSlotsSendsAFewStatementsNotEightClaimsAPollInterval() throws Exception {
        Duration poll = Duration.ofMillis(20);
        Duration window = Duration.ofSeconds(2);
        try (Worker worker = worker(settings(8, 1, poll, Duration.ofSeconds(1)))) {
            awaitListening();
            worker.start();
            Thread.sleep(300);
            long claimsBefore = counter.claims.get();
            long statementsBefore = counter.statements.get();
            Thread.sleep(window.toMillis());
            long claims = counter.claims.get() - claimsBefore;
            long statements = counter.statements.get() - statementsBefore;
            long polledClaims = 8 * window.toMillis() / poll.toMillis();
            System.out.printf(
                    "WokenWorkersTest: idle for %s with 8 slots: %d claims, %d statements (polling threads: %d"
                            + " claims)%n",
                    window, claims, statements, polledClaims);
            assertThat(claims)
                    .as("one fetch loop looks once a fallback poll (1 s), not 8 threads every %s", poll)
                    .isLessThanOrEqualTo(4);
            assertThat(statements)
                    .as("the claims and the lease rescuer's pass at most")
                    .isLessThanOrEqualTo(8);
            assertThat(fixture.app.runChanges().subscriptions())
                    .as("the worker's subscription is not counted as an event stream (eryao_events_streams)")
                    .isZero();
        }
    }

    @Test
    void oneClaimOfSeveralRunsTakesTheFirstRunOfEachSessionOnly() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        List<UUID> first = List.of(
                fixture.enqueue(owner, "one").taskId(),
                fixture.enqueueInNewSession(owner, "two").taskId(),
                fixture.enqueueInNewSession(owner, "three").taskId());
        fixture.enqueue(owner, "one, again");
        fixture.enqueue(owner, "one, once more");
        RunExecutionService runs = fixture.app.runExecution(fixture.settings(8, 1));

        List<RunContext> claimed = runs.claim("worker", fixture.clock.instant(), 8);
        assertThat(claimed).extracting(RunContext::runId).containsExactlyInAnyOrderElementsOf(first);
        assertThat(claimed.stream().map(RunContext::sessionId).distinct())
                .as("one run of each session")
                .hasSize(3);
        assertThat(runs.claim("worker", fixture.clock.instant(), 8))
                .as("the first session's later runs wait for its running one")
                .isEmpty();
    }
}
