package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.config.LlmSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.models.RunStatus;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunView;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.Failure;
import dev.eryao.support.FakeLlmServer.Reply;
import dev.eryao.support.FakeLlmServer.Stall;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The queue's guards, each tried where it is the only thing in the way: a soft-deleted run is
 * neither claimed nor rescued, and an attempt whose lease expired and whose run was claimed again
 * can record nothing, whatever its outcome, while the live attempt is still running.
 */
class QueueGuardsTest {
    private static final long POINTS = 1_000;
    private static final Duration LATE = Duration.ofSeconds(RunFixture.LEASE_SECONDS + 1);
    private static final long WAIT_SECONDS = 30;

    private final RunFixture fixture = new RunFixture();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<CountDownLatch> stalls = new ArrayList<>();
    private final List<Worker> workers = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        stalls.forEach(CountDownLatch::countDown);
        threads.shutdownNow();
        for (Worker worker : workers) {
            worker.close();
        }
        fixture.close();
    }

    /**
     * A worker of the fixture's application with a model timeout far above the test's waits, so a
     * stalled model call ends only when the test releases it.
     */
    private Worker worker() {
        Worker worker = fixture.app.worker(
                fixture.settings(1, 3),
                new LlmSettings(
                        Duration.ofSeconds(120),
                        Map.of(LlmSettings.variablePart(fixture.factoryName), Secret.of(RunFixture.API_KEY))),
                fixture.clock);
        workers.add(worker);
        return worker;
    }

    private Stall stall(Reply then) {
        CountDownLatch release = new CountDownLatch(1);
        stalls.add(release);
        return new Stall(release, then);
    }

    @Test
    void aSoftDeletedQueuedRunIsNeverClaimed() throws Exception {
        RunFixture.Owner owner = fixture.owner(POINTS);
        RunAccepted deleted = fixture.enqueue(owner, "deleted before it ran");
        softDelete(deleted.taskId());
        Worker worker = worker();

        assertThat(worker.performDue()).as("nothing to claim but a deleted run").isZero();
        RunAccepted live = fixture.enqueue(owner, "queued after it");
        assertThat(worker.performDue())
                .as("the live run, queued later, is claimed")
                .isEqualTo(1);
        assertThat(worker.performDue()).isZero();

        assertThat(row(deleted.taskId())).isEqualTo("queued 0 deleted");
        assertThat(row(live.taskId())).isEqualTo("succeeded 1 live");
        assertThat(fixture.llm.received()).as("one model call: the live run's").hasSize(1);
    }

    @Test
    void aSoftDeletedRunWhoseLeaseExpiredIsNeverRescued() throws Exception {
        RunFixture.Owner owner = fixture.owner(POINTS);
        RunAccepted task = fixture.enqueue(owner, "hello");
        fixture.llm.then(stall(new Answer("late", 10, 10)));
        Worker dying = worker();
        Worker rescuing = worker();
        threads.submit(dying::performDue);
        assertThat(fixture.llm.awaitFirstRequest(WAIT_SECONDS))
                .as("the first worker waits for the model")
                .isTrue();

        softDelete(task.taskId());
        fixture.clock.advance(LATE);

        assertThat(rescuing.rescueOnce()).as("a deleted run is not taken back").isZero();
        assertThat(rescuing.performDue())
                .as("nor queued again for another worker")
                .isZero();
        assertThat(row(task.taskId())).isEqualTo("running 1 deleted");
        assertThat(fixture.llm.received()).hasSize(1);
    }

    @Test
    void aStaleAttemptsAnswerIsDroppedAndTheLiveAttemptsStands() throws Exception {
        staleAttemptRecordsNothing(new Answer("stale answer", 1_000, 500), false);
    }

    @Test
    void aStaleAttemptsFinalFailureIsDroppedAndTheLiveAttemptsAnswerStands() throws Exception {
        staleAttemptRecordsNothing(new Failure(401, "{\"error\":\"invalid api key\"}"), false);
    }

    @Test
    void aStaleAttemptsRetryIsDroppedAndTheLiveAttemptsAnswerStands() throws Exception {
        staleAttemptRecordsNothing(new Failure(503, "{\"error\":\"unavailable\"}"), false);
    }

    /** Two performer threads of one worker share its id: only the attempt number tells them apart. */
    @Test
    void aStaleAttemptOfTheSameWorkerIsDroppedAndTheLiveAttemptsAnswerStands() throws Exception {
        staleAttemptRecordsNothing(new Answer("stale answer", 1_000, 500), true);
    }

    /**
     * Attempt 1 stalls at the model until its lease expires; the run is rescued and attempt 2 (on
     * another worker, or another thread of the same one) is at the model when attempt 1 gets
     * {@code staleReply}. Nothing attempt 1 records may land; attempt 2's answer then stands,
     * charged once.
     */
    private void staleAttemptRecordsNothing(Reply staleReply, boolean sameWorker) throws Exception {
        RunFixture.Owner owner = fixture.owner(POINTS);
        RunAccepted task = fixture.enqueue(owner, "hello");
        Stall stale = stall(staleReply);
        Stall live = stall(new Answer("live answer", 2_000, 1_000));
        fixture.llm.then(stale, live);
        Worker staleWorker = worker();
        Worker liveWorker = sameWorker ? staleWorker : worker();

        Future<Integer> staleAttempt = threads.submit(staleWorker::performDue);
        assertThat(fixture.llm.awaitFirstRequest(WAIT_SECONDS))
                .as("attempt 1 waits for the model")
                .isTrue();
        fixture.clock.advance(LATE);
        assertThat(liveWorker.rescueOnce()).isEqualTo(1);
        Future<Integer> liveAttempt = threads.submit(liveWorker::performDue);
        awaitRequests(2);

        stale.release().countDown();
        staleAttempt.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(row(task.taskId())).as("attempt 1 changed nothing").isEqualTo("running 2 live");
        assertThat(fixture.count(
                        "SELECT count(*) FROM agent_run WHERE id = ? AND output IS NULL AND error IS NOT NULL"
                                + " AND charged_points IS NULL",
                        task.taskId()))
                .as("the rescue's error, no output, no charge")
                .isEqualTo(1);
        assertThat(ledgerRows(task)).isZero();
        assertThat(assistantMessages(owner)).isZero();
        assertThat(fixture.app.points().balance(owner.user().id())).isEqualTo(POINTS);

        live.release().countDown();
        assertThat(liveAttempt.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(1);
        RunView view = fixture.app.runs().get(owner.user(), task.taskId());
        assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(view.attempts()).isEqualTo(2);
        assertThat(view.output()).isEqualTo("live answer");
        assertThat(view.error()).isNull();
        assertThat(view.inputTokens()).isEqualTo(2_000);
        assertThat(view.outputTokens()).isEqualTo(1_000);
        assertThat(view.chargedPoints()).isPositive();
        assertThat(ledgerRows(task)).as("charged once").isEqualTo(1);
        assertThat(fixture.count("SELECT -sum(amount) FROM points_ledger WHERE reference_id = ?", task.taskId()))
                .isEqualTo(view.chargedPoints());
        assertThat(fixture.app.points().balance(owner.user().id())).isEqualTo(POINTS - view.chargedPoints());
        assertThat(fixture.strings(
                        "SELECT content FROM agent_chat_message WHERE session_id = ? AND role = 'assistant'",
                        owner.sessionId()))
                .containsExactly("live answer");
    }

    private void awaitRequests(int requests) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (fixture.llm.received().size() < requests) {
            assertThat(System.nanoTime())
                    .as("%d requests reach the model within %d s", requests, WAIT_SECONDS)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** A run's status, attempts, and whether it is soft-deleted: "queued 0 deleted", "succeeded 1 live". */
    private String row(UUID runId) throws SQLException {
        return fixture.strings(
                        "SELECT status || ' ' || attempts || ' ' || CASE WHEN deleted_at IS NULL THEN 'live'"
                                + " ELSE 'deleted' END FROM agent_run WHERE id = ?",
                        runId)
                .getFirst();
    }

    private long ledgerRows(RunAccepted task) throws SQLException {
        return fixture.count("SELECT count(*) FROM points_ledger WHERE reference_id = ?", task.taskId());
    }

    private long assistantMessages(RunFixture.Owner owner) throws SQLException {
        return fixture.count(
                "SELECT count(*) FROM agent_chat_message WHERE session_id = ? AND role = 'assistant'",
                owner.sessionId());
    }

    /** A soft delete as the seed defines it: the row stays, {@code deleted_at} set (no API deletes a run). */
    private void softDelete(UUID runId) throws SQLException {
        try (Connection connection = fixture.database.dataSource().getConnection();
                PreparedStatement update = connection.prepareStatement(
                        "UPDATE agent_run SET deleted_at = now() WHERE id = ? AND deleted_at IS NULL")) {
            update.setObject(1, runId);
            assertThat(update.executeUpdate()).isEqualTo(1);
            connection.commit();
        }
    }
}
