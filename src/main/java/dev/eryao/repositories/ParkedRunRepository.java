package dev.eryao.repositories;

import dev.eryao.core.db.CurrentSession;
import dev.eryao.core.db.NativeStatement;
import dev.eryao.core.db.RepositorySession;
import dev.eryao.models.AgentRun;
import dev.eryao.models.RunStatus;
import jakarta.persistence.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Runs that wait for their owner: parked by the attempt that holds them (its lease given up, so no
 * worker and no connection waits with them), decided by their owner call by call, queued again once
 * nothing is left to decide (any worker in any process then resumes them), and expired when left
 * waiting too long. Each change is one statement, announced on the run's channel like every change
 * of a run.
 */
public class ParkedRunRepository {
    // The claimed attempt parks the run — unless its stop was requested meanwhile (then no row, as
    // for a lost claim; the worker asks which, and stops the run instead). The cancel and this both
    // change the row, so PostgreSQL orders them: a cancel after it finds the run parked and ends it.
    private static final String PARK = """
            WITH parked AS (
                UPDATE agent_run
                SET status = :status, pending_calls = :pending, parked_at = :now, parks = parks + 1,
                    leased_by = NULL, lease_expires_at = NULL, updated_at = :now
                WHERE id = :id AND status = 'running' AND leased_by = :worker AND attempts = :attempt
                  AND cancel_requested_at IS NULL
                RETURNING id, session_id)
            SELECT id FROM parked WHERE pg_notify('eryao_run', parked.id || ' ' || parked.session_id) IS NOT NULL""";

    // The owner's run as a decision finds it, locked until the decision's transaction ends, so two
    // decisions of one run (in any processes) are taken one after the other.
    private static final String LOCKED = """
            SELECT status, pending_calls FROM agent_run
            WHERE id = :id AND owner_id = :owner AND deleted_at IS NULL
            FOR UPDATE""";

    // The decisions written; queued again (due now, keeping its turn) when none is left to take.
    // Only ever on a run LOCKED found for its owner in the same transaction (a Parked is that
    // finding); the owner is in the WHERE anyway, so the statement alone never touches another's run.
    private static final String DECIDE = """
            WITH decided AS (
                UPDATE agent_run
                SET pending_calls = :pending, status = :status,
                    parked_at = CASE WHEN :status = 'queued' THEN NULL ELSE parked_at END,
                    scheduled_at = CASE WHEN :status = 'queued' THEN CAST(:now AS timestamptz) ELSE scheduled_at END,
                    updated_at = :now
                WHERE id = :id AND owner_id = :owner AND deleted_at IS NULL
                  AND status IN ('requires_approval', 'requires_action')
                RETURNING id, session_id)
            SELECT id FROM decided WHERE pg_notify('eryao_run', decided.id || ' ' || decided.session_id || ' queue') IS NOT NULL""";

    // Runs parked since before :cutoff end expired, keeping what they did; what their steps came to
    // is returned, for their holds to pay it. Read over the parked runs' partial index.
    private static final String EXPIRE = """
            WITH expired AS (
                UPDATE agent_run r
                SET status = 'expired', stop_reason = 'expired', finished_at = :now, parked_at = NULL,
                    error = :reason, updated_at = :now
                WHERE status IN ('requires_approval', 'requires_action') AND parked_at < :cutoff
                  AND deleted_at IS NULL
                RETURNING r.id, r.owner_id, r.held_points, r.status, r.session_id,
                    (SELECT CAST(coalesce(sum(st.points_charged), 0) AS bigint) FROM agent_run_step st
                     WHERE st.run_id = r.id) AS steps_points)
            SELECT id, owner_id, held_points, status, steps_points FROM expired
            WHERE pg_notify('eryao_run', expired.id || ' ' || expired.session_id || ' queue') IS NOT NULL""";

    private final CurrentSession sessions;

    public ParkedRunRepository(CurrentSession sessions) {
        this.sessions = sessions;
    }

    /**
     * Parks the claimed attempt's run as {@code status}, waiting on {@code pendingJson}.
     *
     * @return false when nothing changed: the claim was lost, or the run's stop was requested
     */
    public boolean park(RunClaim claim, String worker, RunStatus status, String pendingJson, Instant now) {
        return !statement(PARK)
                .setParameter("id", claim.runId())
                .setParameter("worker", worker)
                .setParameter("attempt", claim.attempt())
                .setParameter("status", status.wireName())
                .setParameter("pending", pendingJson)
                .setParameter("now", now)
                .getResultList()
                .isEmpty();
    }

    /** The owner's run's status and pending calls, locked for a decision; empty when the owner has no such run. */
    public Optional<Parked> lockForDecision(UUID ownerId, UUID runId) {
        return statement(LOCKED).setParameter("id", runId).setParameter("owner", ownerId).getResultList().stream()
                .findFirst()
                .map(row -> new Parked(
                        runId,
                        ownerId,
                        RunStatus.fromWireName(row.get("status", String.class)),
                        row.get("pending_calls", String.class)));
    }

    /**
     * An owner's run as a decision finds it, locked until the transaction that found it ends: what
     * {@link #decide} takes, so a decision is only ever written on a run found for its owner.
     */
    public record Parked(UUID runId, UUID ownerId, RunStatus status, String pendingCallsJson) {}

    /**
     * Writes a parked run's decisions, and its status after them ({@code queued} when none is left to take).
     *
     * @throws IllegalStateException when the run is no longer parked: {@code run} was not locked in
     *     this transaction
     */
    public void decide(Parked run, RunStatus status, String pendingJson, Instant now) {
        boolean written = !statement(DECIDE)
                .setParameter("id", run.runId())
                .setParameter("owner", run.ownerId())
                .setParameter("status", status.wireName())
                .setParameter("pending", pendingJson)
                .setParameter("now", now)
                .getResultList()
                .isEmpty();
        if (!written) {
            throw new IllegalStateException(
                    "run " + run.runId() + " is no longer parked: it was not locked for this decision");
        }
    }

    /** Ends the runs parked before {@code cutoff} expired; each as it was left, with what its steps came to. */
    public List<EndedRun> expire(Instant cutoff, String reason, Instant now) {
        return statement(EXPIRE)
                .setParameter("cutoff", cutoff)
                .setParameter("reason", reason)
                .setParameter("now", now)
                .getResultList()
                .stream()
                .map(row -> new EndedRun(
                        row.get("id", UUID.class),
                        row.get("owner_id", UUID.class),
                        row.get("held_points", Long.class),
                        row.get("steps_points", Long.class),
                        RunStatus.fromWireName(row.get("status", String.class))))
                .toList();
    }

    private NativeStatement<Tuple> statement(String sql) {
        return session().createNativeQuery(sql, Tuple.class).addSynchronizedEntityClass(AgentRun.class);
    }

    private RepositorySession session() {
        return sessions.session();
    }
}
