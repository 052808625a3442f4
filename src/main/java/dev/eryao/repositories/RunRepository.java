package dev.eryao.repositories;

import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.models.AgentRun;
import dev.eryao.models.PointsBalance;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import dev.eryao.models.AgentRun_;
import dev.eryao.core.db.NativeStatement;
import org.hibernate.query.restriction.Restriction;

/**
 * Agent runs: the owner's reads, and the queue's statements (after River's): a run is claimed in one statement that picks
 * the next due run {@code FOR UPDATE SKIP LOCKED} and marks it running under a lease, so no two
 * workers in any number of processes take the same run; every later change of a claimed run is
 * guarded by the worker and attempt that claimed it, so a worker whose lease expired (and whose
 * run was taken again) can no longer finish it. {@code now} is passed in, so tests control time.
 * Native SQL, so each says {@code deleted_at IS NULL} itself.
 */
public class RunRepository extends BaseRepository<AgentRun> {
    private static final String CLAIM = """
            WITH next AS (
                SELECT id FROM agent_run
                WHERE status = 'queued' AND scheduled_at <= :now AND deleted_at IS NULL
                ORDER BY scheduled_at, id
                LIMIT 1
                FOR UPDATE SKIP LOCKED)
            UPDATE agent_run r
            SET status = 'running', attempts = r.attempts + 1, leased_by = :worker, lease_expires_at = :expires,
                started_at = coalesce(r.started_at, :now), updated_at = :now
            FROM next WHERE r.id = next.id
            RETURNING r.id, r.attempts, r.session_id, r.owner_id, r.llm_id, r.held_points""";
    private static final String GUARD = " WHERE id = :id AND status = 'running' AND leased_by = :worker AND attempts = :attempt";
    private static final String SUCCEED = """
            UPDATE agent_run SET status = 'succeeded', output = :output, error = NULL, input_tokens = :inputTokens,
                output_tokens = :outputTokens, cost_points = :cost, charged_points = :cost, charge_capped = false,
                finished_at = :now, leased_by = NULL, lease_expires_at = NULL, updated_at = :now""" + GUARD;
    private static final String RETRY = """
            UPDATE agent_run SET status = 'queued', error = :error, scheduled_at = :retryAt,
                leased_by = NULL, lease_expires_at = NULL, updated_at = :now""" + GUARD;
    // A run that fails for good releases its hold in the same statement; the count says whether
    // the guard matched.
    private static final String FAIL = """
            WITH failed AS (
                UPDATE agent_run SET status = 'failed', error = :error, finished_at = :now,
                    leased_by = NULL, lease_expires_at = NULL, updated_at = :now""" + GUARD + """

                RETURNING owner_id, held_points),
            released AS (
                UPDATE points_balance p SET held = p.held - f.held_points, updated_at = now()
                FROM failed f WHERE p.owner_id = f.owner_id AND f.held_points > 0)
            SELECT count(*) FROM failed""";
    private static final String SHORTFALL = """
            UPDATE agent_run SET charged_points = :charged, charge_capped = true
            WHERE id = :id AND status = 'succeeded'""";
    private static final String SET_HOLD = "UPDATE agent_run SET held_points = :held, updated_at = :now" + GUARD;
    // Runs failed here for good release their holds in the same statement; runs queued again keep them.
    private static final String RESCUE = """
            WITH rescued AS (
                UPDATE agent_run
                SET status = CASE WHEN attempts >= :maxAttempts THEN 'failed' ELSE 'queued' END,
                    finished_at = CASE WHEN attempts >= :maxAttempts THEN CAST(:now AS timestamptz) END,
                    error = 'attempt ' || attempts || ' stopped: the worker running it let its lease expire',
                    scheduled_at = :now, leased_by = NULL, lease_expires_at = NULL, updated_at = :now
                WHERE status = 'running' AND lease_expires_at < :now AND deleted_at IS NULL
                RETURNING id, owner_id, status, held_points),
            released AS (
                UPDATE points_balance p SET held = p.held - r.total, updated_at = now()
                FROM (SELECT owner_id, sum(held_points) AS total FROM rescued
                      WHERE status = 'failed' AND held_points > 0 GROUP BY owner_id) r
                WHERE p.owner_id = r.owner_id)
            SELECT id FROM rescued""";



    public RunRepository(CurrentSession sessions) {
        super(sessions, AgentRun.class);
    }

    /** The owner's live run with this id (a load by primary key, then the owner check). */
    public Optional<AgentRun> getOwned(UUID ownerId, UUID runId) {
        return getById(runId).filter(run -> run.getOwnerId().equals(ownerId));
    }

    public Optional<AgentRun> byIdempotencyKey(UUID ownerId, String idempotencyKey) {
        return getOne(Restriction.equal(AgentRun_.ownerId, ownerId),
                Restriction.equal(AgentRun_.idempotencyKey, idempotencyKey));
    }

    /** Claims the next due run for {@code worker} until {@code leaseExpires}, or none. */
    public Optional<RunClaim> claim(String worker, Instant now, Instant leaseExpires) {
        List<Object[]> rows = session().createNativeQuery(CLAIM, Object[].class)
                .addSynchronizedEntityClass(AgentRun.class)
                .setParameter("now", now)
                .setParameter("worker", worker)
                .setParameter("expires", leaseExpires)
                .getResultList();
        return rows.stream().findFirst().map(row -> new RunClaim((UUID) row[0], ((Number) row[1]).intValue(),
                (UUID) row[2], (UUID) row[3], (UUID) row[4], ((Number) row[5]).longValue()));
    }

    /** Marks the claimed attempt succeeded; false when the claim is no longer this worker's. */
    public boolean succeed(RunClaim claim, String worker, String output, RunUsage usage, Instant now) {
        return guarded(SUCCEED, claim, worker, now)
                .setParameter("output", output)
                .setParameter("inputTokens", usage.inputTokens())
                .setParameter("outputTokens", usage.outputTokens())
                .setParameter("cost", usage.cost())
                .executeUpdate() == 1;
    }

    /** Puts the claimed attempt back in the queue, due at {@code retryAt}; false as for succeed. */
    public boolean retry(RunClaim claim, String worker, String error, Instant retryAt, Instant now) {
        return guarded(RETRY, claim, worker, now).setParameter("error", error).setParameter("retryAt", retryAt)
                .executeUpdate() == 1;
    }

    /** Marks the claimed attempt failed for good and releases the run's hold; false as for succeed. */
    public boolean fail(RunClaim claim, String worker, String error, Instant now) {
        return session().createNativeQuery(FAIL, Long.class)
                .addSynchronizedEntityClass(AgentRun.class)
                .addSynchronizedEntityClass(PointsBalance.class)
                .setParameter("id", claim.runId())
                .setParameter("worker", worker)
                .setParameter("attempt", claim.attempt())
                .setParameter("now", now)
                .setParameter("error", error)
                .getSingleResult() == 1;
    }

    /**
     * Records that a run just marked succeeded (in this transaction) was charged less than its
     * price: only when its provider counted more prompt than the hold's bound (see RunPrice).
     */
    public void recordShortfall(UUID runId, long charged) {
        session().createNativeQuery(SHORTFALL, Object.class)
                .addSynchronizedEntityClass(AgentRun.class)
                .setParameter("id", runId)
                .setParameter("charged", charged)
                .executeUpdate();
    }

    /**
     * Records that the claimed run now holds {@code heldPoints} (the caller has taken the difference
     * from the owner's available points in the same transaction); false as for succeed.
     */
    public boolean setHold(RunClaim claim, String worker, long heldPoints, Instant now) {
        return guarded(SET_HOLD, claim, worker, now).setParameter("held", heldPoints).executeUpdate() == 1;
    }

    /**
     * Takes back runs whose lease expired before {@code now} (their worker died or hung): queued
     * again, or failed (their holds released) when that was their last attempt. Returns their ids.
     */
    public List<UUID> rescueExpired(Instant now, int maxAttempts) {
        return session().createNativeQuery(RESCUE, UUID.class)
                .addSynchronizedEntityClass(AgentRun.class)
                .addSynchronizedEntityClass(PointsBalance.class)
                .setParameter("now", now)
                .setParameter("maxAttempts", maxAttempts)
                .getResultList();
    }

    /** A statement on the claimed attempt only: the guard's parameters bound, the rest to bind. */
    private NativeStatement<Object> guarded(String sql, RunClaim claim, String worker, Instant now) {
        return session().createNativeQuery(sql, Object.class)
                .addSynchronizedEntityClass(AgentRun.class)
                .setParameter("id", claim.runId())
                .setParameter("worker", worker)
                .setParameter("attempt", claim.attempt())
                .setParameter("now", now);
    }
}
