package dev.eryao.repositories;

import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.models.AgentRun;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.query.NativeQuery;

/**
 * The agent-run queue's statements (after River's): a run is claimed in one statement that picks
 * the next due run {@code FOR UPDATE SKIP LOCKED} and marks it running under a lease, so no two
 * workers in any number of processes take the same run; every later change of a claimed run is
 * guarded by the worker and attempt that claimed it, so a worker whose lease expired (and whose
 * run was taken again) can no longer finish it. {@code now} is passed in, so tests control time.
 * Native SQL, so each says {@code deleted_at IS NULL} itself.
 */
public class AgentRunQueue extends BaseRepository<AgentRun> {
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
            RETURNING r.id, r.attempts, r.session_id, r.owner_id, r.llm_id""";
    private static final String GUARD = " WHERE id = :id AND status = 'running' AND leased_by = :worker AND attempts = :attempt";
    private static final String SUCCEED = """
            UPDATE agent_run SET status = 'succeeded', output = :output, error = NULL, input_tokens = :inputTokens,
                output_tokens = :outputTokens, cost_points = :cost, charged_points = :charged, charge_capped = :capped,
                finished_at = :now, leased_by = NULL, lease_expires_at = NULL, updated_at = :now""" + GUARD;
    private static final String RETRY = """
            UPDATE agent_run SET status = 'queued', error = :error, scheduled_at = :retryAt,
                leased_by = NULL, lease_expires_at = NULL, updated_at = :now""" + GUARD;
    private static final String FAIL = """
            UPDATE agent_run SET status = 'failed', error = :error, finished_at = :now,
                leased_by = NULL, lease_expires_at = NULL, updated_at = :now""" + GUARD;
    private static final String RESCUE = """
            UPDATE agent_run
            SET status = CASE WHEN attempts >= :maxAttempts THEN 'failed' ELSE 'queued' END,
                finished_at = CASE WHEN attempts >= :maxAttempts THEN CAST(:now AS timestamptz) END,
                error = 'attempt ' || attempts || ' stopped: the worker running it let its lease expire',
                scheduled_at = :now, leased_by = NULL, lease_expires_at = NULL, updated_at = :now
            WHERE status = 'running' AND lease_expires_at < :now AND deleted_at IS NULL
            RETURNING id""";

    /**
     * A claimed run: which one, which attempt this claim is, and what the worker needs of the row
     * (returned by the claim itself, so the row is not read twice).
     *
     * @param llmId null when neither the run nor its session chose a model
     */
    public record Claim(UUID runId, int attempt, UUID sessionId, UUID ownerId, UUID llmId) {
    }

    /** What a finished run used and was charged. */
    public record Usage(int inputTokens, int outputTokens, long cost, long charged, boolean capped) {
    }

    public AgentRunQueue(CurrentSession sessions) {
        super(sessions, AgentRun.class);
    }

    /** Claims the next due run for {@code worker} until {@code leaseExpires}, or none. */
    public Optional<Claim> claim(String worker, Instant now, Instant leaseExpires) {
        List<Object[]> rows = session().createNativeQuery(CLAIM, Object[].class)
                .addSynchronizedEntityClass(AgentRun.class)
                .setParameter("now", now)
                .setParameter("worker", worker)
                .setParameter("expires", leaseExpires)
                .getResultList();
        return rows.stream().findFirst().map(row -> new Claim((UUID) row[0], ((Number) row[1]).intValue(),
                (UUID) row[2], (UUID) row[3], (UUID) row[4]));
    }

    /** Marks the claimed attempt succeeded; false when the claim is no longer this worker's. */
    public boolean succeed(Claim claim, String worker, String output, Usage usage, Instant now) {
        return guarded(SUCCEED, claim, worker, now)
                .setParameter("output", output)
                .setParameter("inputTokens", usage.inputTokens())
                .setParameter("outputTokens", usage.outputTokens())
                .setParameter("cost", usage.cost())
                .setParameter("charged", usage.charged())
                .setParameter("capped", usage.capped())
                .executeUpdate() == 1;
    }

    /** Puts the claimed attempt back in the queue, due at {@code retryAt}; false as for succeed. */
    public boolean retry(Claim claim, String worker, String error, Instant retryAt, Instant now) {
        return guarded(RETRY, claim, worker, now).setParameter("error", error).setParameter("retryAt", retryAt)
                .executeUpdate() == 1;
    }

    /** Marks the claimed attempt failed for good; false as for succeed. */
    public boolean fail(Claim claim, String worker, String error, Instant now) {
        return guarded(FAIL, claim, worker, now).setParameter("error", error).executeUpdate() == 1;
    }

    /**
     * Takes back runs whose lease expired before {@code now} (their worker died or hung): queued
     * again, or failed when that was their last attempt. Returns their ids.
     */
    public List<UUID> rescueExpired(Instant now, int maxAttempts) {
        return session().createNativeQuery(RESCUE, UUID.class)
                .addSynchronizedEntityClass(AgentRun.class)
                .setParameter("now", now)
                .setParameter("maxAttempts", maxAttempts)
                .getResultList();
    }

    /** A statement on the claimed attempt only: the guard's parameters bound, the rest to bind. */
    private NativeQuery<Object> guarded(String sql, Claim claim, String worker, Instant now) {
        return session().createNativeQuery(sql, Object.class)
                .addSynchronizedEntityClass(AgentRun.class)
                .setParameter("id", claim.runId())
                .setParameter("worker", worker)
                .setParameter("attempt", claim.attempt())
                .setParameter("now", now);
    }
}
