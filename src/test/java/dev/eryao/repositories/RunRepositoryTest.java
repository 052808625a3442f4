package dev.eryao.repositories;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.App;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Database;
import dev.eryao.models.RunStatus;
import dev.eryao.services.ModelDraft;
import dev.eryao.services.PointsService;
import dev.eryao.support.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The queue's statements, one by one, with {@code now} passed in: the claim (due runs only, in
 * turn order, never a run to stop or of a deleted session), the guard every later change of a
 * claimed attempt passes, and the rescue of expired leases. A database of its own, so no other
 * test's runs are in its queue.
 */
class RunRepositoryTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final Database database = TestDatabase.get().freshMigratedDatabase();
    private final App app = App.over(database, TestDatabase.get().settings(), null);
    private final RunRepository runs = new RunRepository(app.transactions());
    private final UUID model;

    RunRepositoryTest() {
        UUID factory = app.catalog().createFactory("free-" + UUID.randomUUID()).id();
        model = app.catalog()
                .createModel(new ModelDraft(
                        factory,
                        "free",
                        "Free",
                        "http://127.0.0.1:9/v1/chat/completions",
                        BigDecimal.ZERO,
                        BigDecimal.ZERO,
                        128_000,
                        true))
                .id();
    }

    @AfterEach
    void close() {
        app.close();
        database.close();
    }

    private record Run(CurrentUser owner, UUID sessionId, UUID id) {}

    private Run enqueue(CurrentUser owner, String input) {
        UUID session = app.sessions().create(owner, "chat", model).id();
        return new Run(
                owner,
                session,
                app.runs().enqueue(owner, session, input, null, null).taskId());
    }

    private CurrentUser owner() {
        CurrentUser user = new CurrentUser(UUID.randomUUID(), CurrentUser.AUTHENTICATED);
        app.points().grant(new PointsService.Change(user.id(), 10, "test", null, null, null));
        return user;
    }

    private Optional<RunClaim> claim(String worker, Instant now) {
        return app.transactions().fromTransaction(() -> runs.claim(worker, now, now.plus(LEASE)));
    }

    @Test
    void theClaimTakesDueRunsInTurnOrderAndCountsTheAttempt() throws Exception {
        CurrentUser busy = owner();
        CurrentUser other = owner();
        Run first = enqueue(busy, "first");
        Run second = enqueue(busy, "second");
        Run others = enqueue(other, "other");
        Instant now = Instant.now().plusSeconds(1);

        List<UUID> order = new ArrayList<>();
        for (Optional<RunClaim> claim; (claim = claim("w", now)).isPresent(); ) {
            assertThat(claim.get().attempt()).isEqualTo(1);
            order.add(claim.get().runId());
        }
        assertThat(order).containsExactly(first.id(), others.id(), second.id());
    }

    @Test
    void theClaimSkipsRunsNotYetDueRunsToStopAndRunsOfDeletedSessions() throws Exception {
        CurrentUser owner = owner();
        Run later = enqueue(owner, "later");
        Run stopping = enqueue(owner, "to stop");
        Run orphan = enqueue(owner, "orphan");
        execute("UPDATE agent_run SET scheduled_at = now() + interval '1 hour' WHERE id = ?", later.id());
        execute("UPDATE agent_run SET cancel_requested_at = now() WHERE id = ?", stopping.id());
        execute("UPDATE agent_chat_session SET deleted_at = now() WHERE id = ?", orphan.sessionId());

        assertThat(claim("w", Instant.now().plusSeconds(1))).isEmpty();
        assertThat(claim("w", Instant.now().plus(Duration.ofHours(2))))
                .map(RunClaim::runId)
                .hasValue(later.id());
    }

    @Test
    void aChangeOfAClaimedAttemptPassesOnlyForItsWorkerAndAttempt() throws Exception {
        Run run = enqueue(owner(), "guarded");
        Instant now = Instant.now().plusSeconds(1);
        RunClaim claim = claim("w", now).orElseThrow();
        RunClaim earlierAttempt = new RunClaim(
                claim.runId(),
                claim.attempt() - 1,
                claim.sessionId(),
                claim.ownerId(),
                claim.llmId(),
                claim.heldPoints(),
                claim.input(),
                claim.questionId(),
                claim.maxSteps(),
                claim.maxPoints(),
                claim.toolSelectionJson(),
                claim.traceParent(),
                claim.parks(),
                claim.pendingCallsJson(),
                claim.clientToolsJson());

        assertThat(inTransaction(() -> runs.checkIn(claim, "someone else", now.plus(LEASE))))
                .isEmpty();
        assertThat(inTransaction(() -> runs.checkIn(earlierAttempt, "w", now.plus(LEASE))))
                .isEmpty();
        assertThat(inTransaction(() -> runs.fail(claim, "someone else", "x", null, "", "stopped", now)))
                .isEmpty();
        assertThat(status(run.id())).isEqualTo("running");

        assertThat(inTransaction(() -> runs.checkIn(claim, "w", now.plus(LEASE))))
                .hasValue(false);
        assertThat(inTransaction(() -> runs.fail(claim, "w", "the model answered 400", null, "", "stopped", now)))
                .map(EndedRun::status)
                .hasValue(RunStatus.FAILED);
        assertThat(status(run.id())).isEqualTo("failed");
    }

    @Test
    void theRescueTakesBackExpiredLeasesOnly() throws Exception {
        CurrentUser owner = owner();
        Run again = enqueue(owner, "queued again");
        Run last = enqueue(owner, "last attempt");
        Run stop = enqueue(owner, "to stop");
        Run live = enqueue(owner, "still leased");
        Instant now = Instant.now().plusSeconds(1);
        List<UUID> claimed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            claimed.add(claim("w", now).orElseThrow().runId());
        }
        execute("UPDATE agent_run SET attempts = 3 WHERE id = ?", last.id());
        execute("UPDATE agent_run SET cancel_requested_at = now() WHERE id = ?", stop.id());
        Instant afterLease = now.plus(LEASE).plusSeconds(1);
        claim("w", afterLease); // "still leased": claimed after the others, its lease runs on

        List<EndedRun> rescued = inTransaction(() -> runs.rescueExpired(afterLease, 3, "orphaned"));

        assertThat(claimed).containsExactlyInAnyOrder(again.id(), last.id(), stop.id());
        assertThat(rescued).extracting(EndedRun::runId).containsExactlyInAnyOrder(again.id(), last.id(), stop.id());
        assertThat(status(again.id())).isEqualTo("queued");
        assertThat(status(last.id())).isEqualTo("failed");
        assertThat(status(stop.id())).isEqualTo("cancelled");
        assertThat(status(live.id())).isEqualTo("running");
        assertThat(inTransaction(() -> runs.rescueExpired(afterLease, 3, "orphaned")))
                .as("one pass took them all")
                .isEmpty();
    }

    private <T> T inTransaction(java.util.function.Supplier<T> work) {
        return app.transactions().fromTransaction(work);
    }

    private void execute(String sql, UUID id) throws Exception {
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, id);
            statement.executeUpdate();
            connection.commit();
        }
    }

    private String status(UUID id) throws Exception {
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement query = connection.prepareStatement("SELECT status FROM agent_run WHERE id = ?")) {
            query.setObject(1, id);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                String status = row.getString(1);
                connection.rollback();
                return status;
            }
        }
    }
}
