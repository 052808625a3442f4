package dev.eryao.repositories;

import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.models.AgentRun;
import dev.eryao.models.PointsBalance;
import dev.eryao.models.RunStatus;
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
    /** The channel every change of a run is announced on, its id as the payload (see Notifications). */
    public static final String CHANNEL = "eryao_run";
    // Appended to a statement whose CTE "changed" returns the ids of the runs it changed: announces
    // each on CHANNEL (sent when the transaction commits) and counts them.
    private static final String ANNOUNCE_COUNT =
            "SELECT count(*) FROM changed WHERE pg_notify('" + CHANNEL + "', changed.id::text) IS NOT NULL";
    // The claim takes due runs in turn order (AgentRun.turn_at: owners take turns), oldest first
    // within a turn. It never takes a run whose session is deleted (such a run is cancelled by the
    // rescuer), nor one whose stop was requested: a cancel is final.
    private static final String CLAIM = """
            WITH next AS (
                SELECT id FROM agent_run q
                WHERE status = 'queued' AND scheduled_at <= :now AND deleted_at IS NULL
                  AND cancel_requested_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM agent_chat_session s
                                  WHERE s.id = q.session_id AND s.deleted_at IS NOT NULL)
                ORDER BY turn_at, id
                LIMIT 1
                FOR UPDATE SKIP LOCKED),
            changed AS (
                UPDATE agent_run r
                SET status = 'running', attempts = r.attempts + 1, leased_by = :worker, lease_expires_at = :expires,
                    started_at = coalesce(r.started_at, :now), updated_at = :now
                FROM next WHERE r.id = next.id
                RETURNING r.id, r.attempts, r.session_id, r.owner_id, r.llm_id, r.held_points, r.input)
            SELECT id, attempts, session_id, owner_id, llm_id, held_points, input FROM changed
            WHERE pg_notify('""" + CHANNEL + "', changed.id::text) IS NOT NULL";
    private static final String GUARD = " WHERE id = :id AND status = 'running' AND leased_by = :worker AND attempts = :attempt";
    // A finished attempt: succeeded, or cancelled with what its model wrote until it was stopped.
    private static final String FINISH = """
            WITH changed AS (
                UPDATE agent_run SET status = :status, output = :output, error = :error, input_tokens = :inputTokens,
                    output_tokens = :outputTokens, usage_estimated = :estimated, cost_points = :cost, charged_points = :cost,
                    charge_capped = false,
                    finished_at = :now, leased_by = NULL, lease_expires_at = NULL, updated_at = :now""" + GUARD + """

                RETURNING id)
            """ + ANNOUNCE_COUNT;
    // A failed attempt: queued again (:again) or failed for good — unless its stop was requested,
    // in which case it ends cancelled, keeping what its model wrote (:written), whichever of the
    // cancel and this statement came first: both change the run's row, so PostgreSQL orders them.
    // A run that ends releases its hold in the same statement (a failed attempt is never charged).
    // Returns the status the run now has; no row: the guard did not match (the claim was lost).
    private static final String FAIL = """
            WITH changed AS (
                UPDATE agent_run
                SET status = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
                                  WHEN :again THEN 'queued' ELSE 'failed' END,
                    error = CASE WHEN cancel_requested_at IS NOT NULL THEN :stopped ELSE :error END,
                    output = CASE WHEN cancel_requested_at IS NOT NULL THEN :written ELSE output END,
                    finished_at = CASE WHEN cancel_requested_at IS NOT NULL OR NOT :again
                                       THEN CAST(:now AS timestamptz) END,
                    scheduled_at = CASE WHEN cancel_requested_at IS NULL AND :again
                                        THEN CAST(:retryAt AS timestamptz) ELSE scheduled_at END,
                    leased_by = NULL, lease_expires_at = NULL, updated_at = :now""" + GUARD + """

                RETURNING id, owner_id, held_points, status),
            released AS (
                UPDATE points_balance p SET held = p.held - f.held_points, updated_at = now()
                FROM changed f WHERE p.owner_id = f.owner_id AND f.held_points > 0 AND f.status <> 'queued')
            SELECT status FROM changed WHERE pg_notify('""" + CHANNEL + "', changed.id::text) IS NOT NULL";
    private static final String SHORTFALL = """
            UPDATE agent_run SET charged_points = :charged, charge_capped = true
            WHERE id = :id AND status IN ('succeeded', 'cancelled')""";
    private static final String SET_HOLD = "UPDATE agent_run SET held_points = :held, updated_at = :now" + GUARD;
    // What the model wrote since the last piece, stored and announced; the same statement extends
    // the lease (a streamed answer may take longer than one) and says whether the run is to stop.
    // No row: the claim was lost. Its commit does not wait for the WAL to reach disk: a piece lost
    // in a crash is only a piece of a stream (the attempt is retried, and the finished answer is
    // committed durably), and waiting for the flush was most of a piece's delay to its readers.
    private static final String APPEND = """
            WITH quick AS (SELECT set_config('synchronous_commit', 'off', true)),
            run AS (
                UPDATE agent_run SET lease_expires_at = :expires""" + GUARD + """

                RETURNING id, owner_id, cancel_requested_at IS NOT NULL AS stop),
            piece AS (
                INSERT INTO agent_run_delta (id, run_id, owner_id, attempt, delta_index, content, created_at)
                SELECT gen_random_uuid(), id, owner_id, :attempt, :index, :content, :now FROM run)
            SELECT stop FROM run, quick WHERE pg_notify('""" + CHANNEL + "', run.id::text) IS NOT NULL";
    // The same without a piece: extends the lease and says whether to stop; nothing to announce.
    private static final String CHECK_IN = """
            UPDATE agent_run SET lease_expires_at = :expires""" + GUARD + """

            RETURNING cancel_requested_at IS NOT NULL""";
    // How the owner stops the runs in "target": a queued one is cancelled at once (its hold is
    // released by the statement's "released" part), a running one is marked and its worker, in
    // whatever process, stops it. Finished runs are left as they are.
    private static final String STOP_TARGETS = """
            changed AS (
                UPDATE agent_run r
                SET status = CASE WHEN t.status = 'queued' THEN 'cancelled' ELSE r.status END,
                    finished_at = CASE WHEN t.status = 'queued' THEN CAST(:now AS timestamptz) ELSE r.finished_at END,
                    error = CASE WHEN t.status = 'queued' THEN :reason ELSE r.error END,
                    cancel_requested_at = coalesce(r.cancel_requested_at, :now), updated_at = :now
                FROM target t WHERE r.id = t.id AND t.status IN ('queued', 'running')
                RETURNING r.id, r.owner_id, r.held_points, t.status AS was),
            released AS (
                UPDATE points_balance p SET held = p.held - c.total, updated_at = now()
                FROM (SELECT owner_id, sum(held_points) AS total FROM changed
                      WHERE was = 'queued' AND held_points > 0 GROUP BY owner_id) c
                WHERE p.owner_id = c.owner_id)""";
    // One run of the owner's; returns the status it had (no row: not the owner's, or no such run).
    private static final String CANCEL = """
            WITH target AS (
                SELECT id, status FROM agent_run
                WHERE id = :id AND owner_id = :owner AND deleted_at IS NULL
                FOR UPDATE),
            """ + STOP_TARGETS + """
            ,
            announced AS (""" + ANNOUNCE_COUNT + """
            )
            SELECT t.status FROM target t, announced""";
    // Every unfinished run of a session (its owner deletes it); returns how many.
    private static final String CANCEL_SESSION_RUNS = """
            WITH target AS (
                SELECT id, status FROM agent_run
                WHERE session_id = :session AND status IN ('queued', 'running') AND deleted_at IS NULL
                FOR UPDATE),
            """ + STOP_TARGETS + """

            """ + ANNOUNCE_COUNT;
    // Runs whose worker let the lease expire: cancelled when they were to stop, failed for good on
    // their last attempt, queued again otherwise; queued runs of a deleted session (one queued as
    // the session was deleted) are cancelled. Runs that end here release their holds in the same
    // statement; runs queued again keep them.
    private static final String RESCUE = """
            WITH expired AS (
                UPDATE agent_run
                SET status = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
                                  WHEN attempts >= :maxAttempts THEN 'failed' ELSE 'queued' END,
                    finished_at = CASE WHEN cancel_requested_at IS NOT NULL OR attempts >= :maxAttempts
                                       THEN CAST(:now AS timestamptz) END,
                    error = 'attempt ' || attempts || ' stopped: the worker running it let its lease expire',
                    scheduled_at = :now, leased_by = NULL, lease_expires_at = NULL, updated_at = :now
                WHERE status = 'running' AND lease_expires_at < :now AND deleted_at IS NULL
                RETURNING id, owner_id, status, held_points),
            orphaned AS (
                UPDATE agent_run r
                SET status = 'cancelled', finished_at = :now, error = :orphanReason, updated_at = :now
                FROM agent_chat_session s
                WHERE r.session_id = s.id AND s.deleted_at IS NOT NULL AND r.status = 'queued'
                  AND r.deleted_at IS NULL
                RETURNING r.id, r.owner_id, r.status, r.held_points),
            changed AS (SELECT * FROM expired UNION ALL SELECT * FROM orphaned),
            released AS (
                UPDATE points_balance p SET held = p.held - r.total, updated_at = now()
                FROM (SELECT owner_id, sum(held_points) AS total FROM changed
                      WHERE status IN ('failed', 'cancelled') AND held_points > 0 GROUP BY owner_id) r
                WHERE p.owner_id = r.owner_id)
            SELECT id FROM changed WHERE pg_notify('""" + CHANNEL + "', changed.id::text) IS NOT NULL";
    // A page of the pieces after a position: at most :pieces of them, and only as many as fit in
    // :bytes of text together, except that the first is always there (a reader always moves on).
    // The running sum reads each piece's stored size, not its text; "following" (the next piece's
    // index) says whether more are stored, in the same snapshot as the page.
    private static final String DELTAS_AFTER = """
            with next as (
                select d.attempt as attempt, d.deltaIndex as deltaIndex, d.content as content,
                       row_number() over (order by d.deltaIndex) as n,
                       sum(octet_length(d.content)) over (order by d.deltaIndex) as upto,
                       lead(d.deltaIndex) over (order by d.deltaIndex) as following
                from AgentRunDelta d
                where d.runId = :run and d.ownerId = :owner and d.attempt = :attempt and d.deltaIndex > :after
                order by d.deltaIndex
                limit :pieces)
            select p.attempt, p.deltaIndex, p.content, p.following from next p
            where p.n = 1 or p.upto <= :bytes
            order by p.deltaIndex""";

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
                (UUID) row[2], (UUID) row[3], (UUID) row[4], ((Number) row[5]).longValue(), (String) row[6]));
    }

    /** Marks the claimed attempt succeeded; false when the claim is no longer this worker's. */
    public boolean succeed(RunClaim claim, String worker, String output, RunUsage usage, Instant now) {
        return finish(claim, worker, RunStatus.SUCCEEDED, output, null, usage, now);
    }

    /**
     * Marks the claimed attempt cancelled, keeping what its model wrote until it was stopped and
     * what that used; false as for succeed.
     */
    public boolean stop(RunClaim claim, String worker, String output, String reason, RunUsage usage, Instant now) {
        return finish(claim, worker, RunStatus.CANCELLED, output, reason, usage, now);
    }

    private boolean finish(RunClaim claim, String worker, RunStatus status, String output, String error,
                           RunUsage usage, Instant now) {
        return counted(guarded(FINISH, claim, worker, now)
                .setParameter("status", status.wireName())
                .setParameter("output", output)
                .setParameter("error", error, String.class)
                .setParameter("inputTokens", usage.inputTokens())
                .setParameter("outputTokens", usage.outputTokens())
                .setParameter("cost", usage.cost())
                .setParameter("estimated", usage.estimated())) == 1;
    }

    /**
     * Records a failed attempt: queued again, due at {@code retryAt} (when {@code retryAt} is not
     * null), or failed for good with its hold released — or, when its stop was requested, cancelled
     * with {@code written} (what its model wrote) as its output and {@code stopped} as its error,
     * its hold released and nothing charged.
     *
     * @return the status the run now has; empty when the claim is no longer this worker's
     */
    public Optional<RunStatus> fail(RunClaim claim, String worker, String error, Instant retryAt, String written,
                                    String stopped, Instant now) {
        return session().createNativeQuery(FAIL, String.class)
                .addSynchronizedEntityClass(AgentRun.class)
                .addSynchronizedEntityClass(PointsBalance.class)
                .setParameter("id", claim.runId())
                .setParameter("worker", worker)
                .setParameter("attempt", claim.attempt())
                .setParameter("now", now)
                .setParameter("again", retryAt != null)
                .setParameter("retryAt", retryAt, Instant.class)
                .setParameter("error", error)
                .setParameter("written", written)
                .setParameter("stopped", stopped)
                .getResultList().stream().findFirst().map(RunStatus::fromWireName);
    }

    /**
     * Records that a run just finished (in this transaction) was charged less than its price: only
     * when its provider counted more prompt than the hold's bound (see RunPrice).
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
     * Stores piece {@code index} of what the claimed attempt's model has written, announces it, and
     * extends the lease to {@code leaseExpires}.
     */
    public CheckIn append(RunClaim claim, String worker, int index, String content, Instant now, Instant leaseExpires) {
        List<Boolean> stop = session().createNativeQuery(APPEND, Boolean.class)
                .addSynchronizedEntityClass(AgentRun.class)
                .setParameter("id", claim.runId())
                .setParameter("worker", worker)
                .setParameter("attempt", claim.attempt())
                .setParameter("now", now)
                .setParameter("expires", leaseExpires)
                .setParameter("index", index)
                .setParameter("content", content)
                .getResultList();
        return CheckIn.of(stop);
    }

    /** Extends the claimed attempt's lease to {@code leaseExpires}, and says whether it is to stop. */
    public CheckIn checkIn(RunClaim claim, String worker, Instant leaseExpires) {
        List<Boolean> stop = session().createNativeQuery(CHECK_IN, Boolean.class)
                .addSynchronizedEntityClass(AgentRun.class)
                .setParameter("id", claim.runId())
                .setParameter("worker", worker)
                .setParameter("attempt", claim.attempt())
                .setParameter("expires", leaseExpires)
                .getResultList();
        return CheckIn.of(stop);
    }

    /**
     * The owner stops a run: cancelled now when it was queued (its hold released), marked to stop
     * when it is running (its worker records it cancelled).
     *
     * @return the status the run had, or empty when the owner has no such run
     */
    public Optional<RunStatus> cancel(UUID ownerId, UUID runId, String reason, Instant now) {
        return changingRunsAndHolds(CANCEL, String.class)
                .setParameter("id", runId)
                .setParameter("owner", ownerId)
                .setParameter("reason", reason)
                .setParameter("now", now)
                .getResultList().stream().findFirst().map(RunStatus::fromWireName);
    }

    /** {@link #cancel} for every queued and running run of a session; how many there were. */
    public long cancelRunsOfSession(UUID sessionId, String reason, Instant now) {
        return changingRunsAndHolds(CANCEL_SESSION_RUNS, Long.class)
                .setParameter("session", sessionId)
                .setParameter("reason", reason)
                .setParameter("now", now)
                .getSingleResult();
    }

    /**
     * Takes back runs whose lease expired before {@code now} (their worker died or hung): queued
     * again, failed when that was their last attempt, cancelled when they were to stop; and cancels
     * queued runs of deleted sessions. Holds of runs that end are released. Returns their ids.
     */
    public List<UUID> rescueExpired(Instant now, int maxAttempts, String orphanReason) {
        return changingRunsAndHolds(RESCUE, UUID.class)
                .setParameter("now", now)
                .setParameter("maxAttempts", maxAttempts)
                .setParameter("orphanReason", orphanReason)
                .getResultList();
    }

    /**
     * One page of the owner's pieces of the run's {@code attempt} after piece {@code afterIndex}
     * (-1: from the first), in order: at most {@code maxPieces} pieces holding at most
     * {@code maxBytes} bytes of text (UTF-8) together — but always the first piece, however large,
     * so that a reader moves on. Says whether more pieces are stored after the page.
     */
    public DeltaPage deltasAfter(UUID ownerId, UUID runId, int attempt, int afterIndex, int maxPieces,
                                 long maxBytes) {
        return DeltaPage.of(session().createSelectionQuery(DELTAS_AFTER, Object[].class)
                .setParameter("run", runId)
                .setParameter("owner", ownerId)
                .setParameter("attempt", attempt)
                .setParameter("after", afterIndex)
                .setParameter("pieces", maxPieces)
                .setParameter("bytes", maxBytes)
                .getResultList());
    }

    /** A statement that changes runs and owners' balances (holds). */
    private <R> NativeStatement<R> changingRunsAndHolds(String sql, Class<R> resultType) {
        return session().createNativeQuery(sql, resultType)
                .addSynchronizedEntityClass(AgentRun.class)
                .addSynchronizedEntityClass(PointsBalance.class);
    }

    /** A statement on the claimed attempt only: the guard's parameters bound, the rest to bind. */
    private NativeStatement<Long> guarded(String sql, RunClaim claim, String worker, Instant now) {
        return session().createNativeQuery(sql, Long.class)
                .addSynchronizedEntityClass(AgentRun.class)
                .setParameter("id", claim.runId())
                .setParameter("worker", worker)
                .setParameter("attempt", claim.attempt())
                .setParameter("now", now);
    }

    private static long counted(NativeStatement<Long> statement) {
        return statement.getSingleResult();
    }
}
