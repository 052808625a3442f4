package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.services.PointsAccountView;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunContext;
import dev.eryao.services.RunExecutionService;
import dev.eryao.support.FakeLlmServer.Answer;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every path that changes a hold — take, raise, settle, release — keeps the one rule:
 * {@code points_balance.held} is the sum of {@code held_points} over the owner's open (queued or
 * running) runs, never negative, never more than the balance; and the ledger sums to the balance.
 * Each step below is one path; the rule is checked after each.
 */
class HoldsInvariantTest {
    private final RunFixture fixture = new RunFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void everyPathThatChangesAHoldKeepsHeldTheSumOfTheOpenRunsHolds() throws Exception {
        RunFixture.Owner owner = fixture.owner(100_000);
        RunExecutionService runs = fixture.app.runExecution(fixture.settings(1, 2));

        RunAccepted taken = fixture.enqueue(owner, "take a hold");
        assertRule(owner, "enqueue takes a hold");
        assertThat(account(owner).held()).isPositive();

        fixture.llm.then(new Answer("done", 10, 2));
        performOne(2);
        assertRule(owner, "success settles it");

        fixture.enqueue(owner, "x".repeat(20_000));
        fixture.llm.then(new Answer("a long question answered", 10, 2));
        performOne(2);
        // The session's next run is sent the long question: its hold is raised when it is claimed.
        fixture.enqueue(owner, "raise a hold for the conversation so far");
        fixture.enqueueInNewSession(owner, "another session's run, claimed as it was held");
        RunContext raised = runs.claimNext("w", fixture.clock.instant()).orElseThrow();
        assertThat(raised.heldPoints())
                .as("raised at claim")
                .isGreaterThan(fixture.count("SELECT held_points FROM agent_run WHERE id = ?", taken.taskId()));
        assertRule(owner, "a claim raises the hold");
        RunContext second = runs.claimNext("w", fixture.clock.instant()).orElseThrow();
        assertRule(owner, "a claim takes another run as it was held");

        runs.fail(raised, "w", "the model answered 503", true, "", fixture.clock.instant());
        assertRule(owner, "a retry keeps it");
        runs.fail(second, "w", "the model answered 400", false, "", fixture.clock.instant());
        assertRule(owner, "a failure for good releases it");

        RunAccepted queued = fixture.enqueue(owner, "cancel me while queued");
        fixture.app.runs().cancel(owner.user(), queued.taskId());
        assertRule(owner, "a cancel of a queued run releases it");

        fixture.clock.advance(Duration.ofMinutes(5));
        RunContext retried = runs.claimNext("w", fixture.clock.instant()).orElseThrow();
        fixture.app.runs().cancel(owner.user(), retried.runId());
        runs.fail(retried, "w", "the model answered 503", true, "half", fixture.clock.instant());
        assertRule(owner, "a failure after a cancel releases it");

        RunAccepted stopped = fixture.enqueue(owner, "stop me while running");
        RunContext running = runs.claimNext("w", fixture.clock.instant()).orElseThrow();
        assertThat(running.runId()).isEqualTo(stopped.taskId());
        fixture.app.runs().cancel(owner.user(), stopped.taskId());
        runs.stop(
                running,
                "w",
                new dev.eryao.provider.Completion("par", 10, 1, null, false, true),
                fixture.clock.instant());
        assertRule(owner, "a stopped run settles what it used");

        fixture.enqueue(owner, "rescue me: queued again");
        runs.claimNext("w", fixture.clock.instant()).orElseThrow();
        fixture.clock.advance(Duration.ofSeconds(RunFixture.LEASE_SECONDS + 1));
        assertThat(runs.rescueExpired(fixture.clock.instant())).hasSize(1);
        assertRule(owner, "a rescue that queues again keeps it");
        runs.claimNext("w", fixture.clock.instant()).orElseThrow();
        fixture.clock.advance(Duration.ofSeconds(RunFixture.LEASE_SECONDS + 1));
        assertThat(runs.rescueExpired(fixture.clock.instant())).hasSize(1);
        assertRule(owner, "a rescue that fails the last attempt releases it");

        RunAccepted toStop = fixture.enqueue(owner, "rescue me: cancelled");
        runs.claimNext("w", fixture.clock.instant()).orElseThrow();
        fixture.app.runs().cancel(owner.user(), toStop.taskId());
        fixture.clock.advance(Duration.ofSeconds(RunFixture.LEASE_SECONDS + 1));
        assertThat(runs.rescueExpired(fixture.clock.instant())).hasSize(1);
        assertRule(owner, "a rescue of a run to stop releases it");

        fixture.enqueue(owner, "deleted with my session, running");
        runs.claimNext("w", fixture.clock.instant()).orElseThrow();
        fixture.enqueue(owner, "deleted with my session, queued");
        fixture.app.sessions().delete(owner.user(), owner.sessionId());
        assertRule(owner, "a session's delete releases its queued runs' holds");

        fixture.clock.advance(Duration.ofSeconds(RunFixture.LEASE_SECONDS + 1));
        runs.rescueExpired(fixture.clock.instant());
        assertRule(owner, "the rescue of a deleted session's running run releases it");
        assertThat(account(owner).held()).as("nothing left open").isZero();
        assertThat(fixture.count(
                        "SELECT count(*) FROM agent_run WHERE owner_id = ? AND status IN ('queued', 'running')",
                        owner.user().id()))
                .isZero();
    }

    private void performOne(int maxAttempts) {
        try (Worker worker = fixture.worker(1, maxAttempts)) {
            assertThat(worker.performDue()).isEqualTo(1);
        }
    }

    private PointsAccountView account(RunFixture.Owner owner) {
        return fixture.app.points().account(owner.user().id());
    }

    private void assertRule(RunFixture.Owner owner, String step) throws Exception {
        UUID id = owner.user().id();
        PointsAccountView account = account(owner);
        assertThat(account.held())
                .as(step + ": held = the open runs' holds")
                .isEqualTo(fixture.count(
                        "SELECT coalesce(sum(held_points), 0) FROM agent_run WHERE owner_id = ?"
                                + " AND status IN ('queued', 'running')",
                        id));
        assertThat(account.held())
                .as(step + ": 0 <= held <= balance")
                .isNotNegative()
                .isLessThanOrEqualTo(account.balance());
        assertThat(fixture.count("SELECT coalesce(sum(amount), 0) FROM points_ledger WHERE owner_id = ?", id))
                .as(step + ": the ledger sums to the balance")
                .isEqualTo(account.balance());
    }
}
