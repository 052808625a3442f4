package dev.eryao.repositories;

import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.core.db.NativeStatement;
import dev.eryao.core.db.Page;
import dev.eryao.core.db.PageRequest;
import dev.eryao.models.AgentRun;
import dev.eryao.models.AgentRun_;
import dev.eryao.models.RunStatus;
import jakarta.persistence.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.query.restriction.Restriction;

/**
 * Agent runs: the owner's reads, and the queue's statements (after River's). A run is claimed in
 * one statement that picks the next due run {@code FOR UPDATE SKIP LOCKED} and marks it running
 * under a lease, so no two workers in any number of processes take the same run; every later
 * change of a claimed run is guarded by the worker and attempt that claimed it ({@code WHERE id =
 * :id AND status = 'running' AND leased_by = :worker AND attempts = :attempt}), so a worker whose
 * lease expired (and whose run was taken again) can no longer finish it. {@code now} is passed in,
 * so tests control time.
 *
 * <p>Each statement is written out whole, as it runs (paste it into psql with its parameters
 * bound), and its rows are read by column name. Every change of a run announces the run's id on
 * {@link #CHANNEL} ({@code pg_notify}, sent when the transaction commits) from inside the statement
 * that makes it, with its session's id after a space (so a session's event stream hears of its runs;
 * a run's insert is announced the same way by a trigger). Statements that end runs return them as {@link EndedRun}s: their holds are
 * settled by the caller through {@link HoldRepository}, the one place holds change. Native SQL,
 * so each says {@code deleted_at IS NULL} itself.
 */
public class RunRepository extends BaseRepository<AgentRun> {
    /** The channel every change of a run is announced on, its id as the payload (see Notifications). */
    public static final String CHANNEL = "eryao_run";

    /**
     * The key, after the run's and the session's ids, of the announcements that may leave a run to
     * claim: a run inserted (the trigger), queued again (a retry, a rescue, a park answered), or
     * ended (its session's next run may be claimed now). Workers wait on it; a streamed piece and
     * a claim do not carry it, so they do not wake every idle worker of every process.
     */
    public static final String QUEUE_KEY = "queue";

    // The next :limit due runs in turn order (AgentRun.turn_at: owners take turns), oldest first
    // within a turn, marked running under a lease (a worker asks for as many as it has free slots). Never a run whose
    // session is deleted (the rescuer cancels
    // it), nor one whose stop was requested: a cancel is final. Never a run whose session has a
    // running run or an earlier open one (a run waiting for its retry keeps its place): a session's
    // runs are performed one at a time, in the order they were accepted. That holds across workers
    // and processes without a lock of ours: a run leaves "open" only for a final status, so a
    // snapshot that shows every earlier run of the session final stays right, and an earlier run
    // seen queued or running holds this one back (it is skipped, and the scan goes on to other
    // sessions' runs); so does one that is parked, waiting for its owner: a probe for each status
    // that holds a session back, each one equality on the index's status column (one probe with
    // status IN the three was slower by half under 32 concurrent claimers, with claims running into
    // the statement timeout and the row locks their FOR UPDATE took stalling other workers:
    // bench/README.md, "Claim and complete"). Several runs claimed in one
    // statement are no exception: every candidate's probes read the statement's one snapshot, in
    // which a session's earlier run is still queued, so a session gives at most one run to a claim. The probes are
    // scalar subqueries with
    // LIMIT 1, not NOT EXISTS: PostgreSQL
    // turns NOT EXISTS into an anti-join, and its generic plan hashed every queued run (300-400 ms a
    // claim in bench/run); a subquery it cannot flatten is one index probe for each candidate the
    // ordered scan reaches. LIMIT as a parameter leaves the generic plan that same ordered scan
    // (EXPLAIN on 22,000 queued runs, plan_cache_mode=force_generic_plan): a claim of n runs costs
    // n runs' probes, not another plan.
    //
    // The claim's commit does not wait for the WAL flush (as a piece's does not): a claim lost in a
    // crash only leaves its run queued, to be claimed again, and WAL is flushed in order, so any
    // later durable commit of the attempt (its steps, its end, its charge) carries the claim with it.
    private static final String CLAIM = """
            WITH quick AS (SELECT set_config('synchronous_commit', 'off', true)),
            next AS (
                SELECT id FROM agent_run q
                WHERE status = 'queued' AND scheduled_at <= :now AND deleted_at IS NULL
                  AND cancel_requested_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM agent_chat_session s
                                  WHERE s.id = q.session_id AND s.deleted_at IS NOT NULL)
                  AND (SELECT 1 FROM agent_run e
                       WHERE e.session_id = q.session_id AND e.status = 'running' AND e.deleted_at IS NULL
                       LIMIT 1) IS NULL
                  AND (SELECT 1 FROM agent_run e
                       WHERE e.session_id = q.session_id AND e.status = 'requires_approval' AND e.deleted_at IS NULL
                       LIMIT 1) IS NULL
                  AND (SELECT 1 FROM agent_run e
                       WHERE e.session_id = q.session_id AND e.status = 'requires_action' AND e.deleted_at IS NULL
                       LIMIT 1) IS NULL
                  AND (SELECT 1 FROM agent_run e
                       WHERE e.session_id = q.session_id AND e.status = 'queued' AND e.deleted_at IS NULL
                         AND (e.created_at, e.id) < (q.created_at, q.id)
                       LIMIT 1) IS NULL
                ORDER BY turn_at, id
                LIMIT :limit
                FOR UPDATE SKIP LOCKED),
            claimed AS (
                UPDATE agent_run r
                SET status = 'running', attempts = r.attempts + 1, leased_by = :worker, lease_expires_at = :expires,
                    started_at = coalesce(r.started_at, :now), updated_at = :now
                FROM next WHERE r.id = next.id
                RETURNING r.id, r.attempts, r.session_id, r.owner_id, r.llm_id, r.held_points, r.input, r.question_id,
                    r.max_steps, r.max_points, r.tool_selection, r.trace_parent, r.parks, r.pending_calls,
                    r.client_tools)
            SELECT id, attempts, session_id, owner_id, llm_id, held_points, input, question_id, max_steps, max_points,
                tool_selection, trace_parent, parks, pending_calls, client_tools
            FROM claimed, quick
            WHERE pg_notify('eryao_run', claimed.id || ' ' || claimed.session_id) IS NOT NULL""";

    // The claimed attempt finished: succeeded, or cancelled with what its model wrote until it was
    // stopped. Charged its cost (charge_capped when the hold could not cover it: recordChargeCapped).
    private static final String FINISH = """
            WITH finished AS (
                UPDATE agent_run
                SET status = :status, stop_reason = :stopReason, output = :output, error = :error,
                    input_tokens = :inputTokens,
                    output_tokens = :outputTokens, usage_estimated = :estimated, cost_points = :cost,
                    charged_points = :cost, charge_capped = false,
                    finished_at = :now, leased_by = NULL, lease_expires_at = NULL, updated_at = :now
                WHERE id = :id AND status = 'running' AND leased_by = :worker AND attempts = :attempt
                RETURNING id, session_id)
            SELECT id FROM finished WHERE pg_notify('eryao_run', finished.id || ' ' || finished.session_id || ' queue') IS NOT NULL""";

    // The claimed attempt failed: queued again (:again) or failed for good — unless its stop was
    // requested, in which case it ends cancelled, keeping what its model wrote (:written), whichever
    // of the cancel and this statement came first: both change the run's row, so PostgreSQL orders
    // them. No row: the claim was lost.
    private static final String FAIL = """
            WITH failed AS (
                UPDATE agent_run
                SET status = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
                                  WHEN :again THEN 'queued' ELSE 'failed' END,
                    error = CASE WHEN cancel_requested_at IS NOT NULL THEN :stopped ELSE :error END,
                    stop_reason = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
                                       WHEN NOT :again THEN 'error' END,
                    output = CASE WHEN cancel_requested_at IS NOT NULL THEN :written ELSE output END,
                    finished_at = CASE WHEN cancel_requested_at IS NOT NULL OR NOT :again
                                       THEN CAST(:now AS timestamptz) END,
                    scheduled_at = CASE WHEN cancel_requested_at IS NULL AND :again
                                        THEN CAST(:retryAt AS timestamptz) ELSE scheduled_at END,
                    leased_by = NULL, lease_expires_at = NULL, updated_at = :now
                WHERE id = :id AND status = 'running' AND leased_by = :worker AND attempts = :attempt
                RETURNING id, owner_id, held_points, status, session_id)
            SELECT id, owner_id, held_points, status, (SELECT CAST(coalesce(sum(st.points_charged), 0) AS bigint)
                FROM agent_run_step st WHERE st.run_id = failed.id) AS steps_points
            FROM failed
            WHERE pg_notify('eryao_run', failed.id || ' ' || failed.session_id || ' queue') IS NOT NULL""";

    // A run that failed, was cancelled or expired (in this transaction) and was charged what its recorded
    // steps used: the run says what it cost, as a finished one does.
    private static final String CHARGED_FOR_STEPS = """
            UPDATE agent_run SET cost_points = :cost, charged_points = :charged,
                charge_capped = CAST(:cost AS bigint) > CAST(:charged AS bigint)
            WHERE id = :id AND status IN ('failed', 'cancelled', 'expired')""";

    // A run just finished (in this transaction) whose reported usage priced above its hold: what it
    // was charged (its hold); cost_points keeps the full price.
    private static final String CHARGE_CAPPED = """
            UPDATE agent_run SET charged_points = :charged, charge_capped = true
            WHERE id = :id AND status IN ('succeeded', 'cancelled')""";

    // What the model wrote since the last piece, stored and announced; the same statement extends
    // the lease (a streamed answer may take longer than one) and says whether the run is to stop.
    // No row: the claim was lost. Its commit does not wait for the WAL to reach disk: a piece lost
    // in a crash is only a piece of a stream (the attempt is retried, and the finished answer is
    // committed durably), and waiting for the flush was most of a piece's delay to its readers.
    private static final String APPEND = """
            WITH quick AS (SELECT set_config('synchronous_commit', 'off', true)),
            run AS (
                UPDATE agent_run SET lease_expires_at = :expires
                WHERE id = :id AND status = 'running' AND leased_by = :worker AND attempts = :attempt
                RETURNING id, owner_id, session_id, cancel_requested_at IS NOT NULL AS stop),
            piece AS (
                INSERT INTO agent_run_delta (id, run_id, owner_id, attempt, delta_index, kind, content, created_at)
                SELECT gen_random_uuid(), id, owner_id, :attempt, :index, :kind, :content, :now FROM run)
            SELECT stop FROM run, quick WHERE pg_notify('eryao_run', run.id || ' ' || run.session_id) IS NOT NULL""";

    // The same without a piece: extends the lease and says whether to stop; nothing to announce.
    private static final String CHECK_IN = """
            UPDATE agent_run SET lease_expires_at = :expires
            WHERE id = :id AND status = 'running' AND leased_by = :worker AND attempts = :attempt
            RETURNING cancel_requested_at IS NOT NULL AS stop""";

    // The owner stops one run: a queued or parked one is cancelled at once, a running one is marked
    // and its worker, in whatever process, stops it; a finished one is left as it is. Returns the
    // status the run had (no row: not the owner's, or no such run), whether this statement ended it,
    // and what the steps it recorded came to (a parked run, or a queued one waiting for a retry,
    // has used points its hold must pay).
    private static final String CANCEL = """
            WITH target AS (
                SELECT id, status, status IN ('queued', 'requires_approval', 'requires_action') AS ends
                FROM agent_run
                WHERE id = :id AND owner_id = :owner AND deleted_at IS NULL
                FOR UPDATE),
            stopped AS (
                UPDATE agent_run r
                SET status = CASE WHEN t.ends THEN 'cancelled' ELSE r.status END,
                    finished_at = CASE WHEN t.ends THEN CAST(:now AS timestamptz) ELSE r.finished_at END,
                    error = CASE WHEN t.ends THEN :reason ELSE r.error END,
                    stop_reason = CASE WHEN t.ends THEN 'cancelled' ELSE r.stop_reason END,
                    parked_at = NULL,
                    cancel_requested_at = coalesce(r.cancel_requested_at, :now), updated_at = :now
                FROM target t
                WHERE r.id = t.id AND t.status IN ('queued', 'running', 'requires_approval', 'requires_action')
                RETURNING r.id, r.owner_id, r.held_points, r.status, r.session_id)
            SELECT t.id, t.status AS was, s.owner_id, coalesce(s.held_points, 0) AS held_points, s.status,
                (SELECT CAST(coalesce(sum(st.points_charged), 0) AS bigint)
                 FROM agent_run_step st WHERE st.run_id = s.id) AS steps_points
            FROM target t LEFT JOIN stopped s ON s.id = t.id
            WHERE s.id IS NULL OR pg_notify('eryao_run', s.id || ' ' || s.session_id || ' queue') IS NOT NULL""";

    // The same for every unfinished run of a session (its owner deletes it, or a new run interrupts).
    private static final String CANCEL_SESSION_RUNS = """
            WITH target AS (
                SELECT id, status, status IN ('queued', 'requires_approval', 'requires_action') AS ends
                FROM agent_run
                WHERE session_id = :session AND status IN ('queued', 'running', 'requires_approval', 'requires_action')
                  AND deleted_at IS NULL
                FOR UPDATE),
            stopped AS (
                UPDATE agent_run r
                SET status = CASE WHEN t.ends THEN 'cancelled' ELSE r.status END,
                    finished_at = CASE WHEN t.ends THEN CAST(:now AS timestamptz) ELSE r.finished_at END,
                    error = CASE WHEN t.ends THEN :reason ELSE r.error END,
                    stop_reason = CASE WHEN t.ends THEN 'cancelled' ELSE r.stop_reason END,
                    parked_at = NULL,
                    cancel_requested_at = coalesce(r.cancel_requested_at, :now), updated_at = :now
                FROM target t WHERE r.id = t.id
                RETURNING r.id, r.owner_id, r.held_points, r.status, r.session_id)
            SELECT id, owner_id, held_points, status,
                (SELECT CAST(coalesce(sum(st.points_charged), 0) AS bigint)
                 FROM agent_run_step st WHERE st.run_id = stopped.id) AS steps_points
            FROM stopped
            WHERE pg_notify('eryao_run', stopped.id || ' ' || stopped.session_id || ' queue') IS NOT NULL""";

    // Runs whose worker let the lease expire: cancelled when they were to stop, failed for good on
    // their last attempt, queued again otherwise (keeping their holds); and queued runs of a deleted
    // session (one queued as the session was deleted), cancelled. Each with what its recorded steps
    // were charged: a run ended here still owes them. A step recorded after this statement's
    // snapshot extended its lease, so its run is not taken back.
    private static final String RESCUE = """
            WITH expired AS (
                UPDATE agent_run
                SET status = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
                                  WHEN attempts - parks >= :maxAttempts THEN 'failed' ELSE 'queued' END,
                    finished_at = CASE WHEN cancel_requested_at IS NOT NULL OR attempts - parks >= :maxAttempts
                                       THEN CAST(:now AS timestamptz) END,
                    error = 'attempt ' || attempts || ' stopped: the worker running it let its lease expire',
                    stop_reason = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
                                       WHEN attempts - parks >= :maxAttempts THEN 'error' END,
                    scheduled_at = :now, leased_by = NULL, lease_expires_at = NULL, updated_at = :now
                WHERE status = 'running' AND lease_expires_at < :now AND deleted_at IS NULL
                RETURNING id, owner_id, held_points, status, session_id),
            orphaned AS (
                UPDATE agent_run r
                SET status = 'cancelled', stop_reason = 'cancelled', finished_at = :now, error = :orphanReason,
                    updated_at = :now
                FROM agent_chat_session s
                WHERE r.session_id = s.id AND s.deleted_at IS NOT NULL AND r.status = 'queued'
                  AND r.deleted_at IS NULL
                RETURNING r.id, r.owner_id, r.held_points, r.status, r.session_id),
            rescued AS (SELECT * FROM expired UNION ALL SELECT * FROM orphaned)
            SELECT id, owner_id, held_points, status,
                (SELECT CAST(coalesce(sum(st.points_charged), 0) AS bigint)
                 FROM agent_run_step st WHERE st.run_id = rescued.id) AS steps_points
            FROM rescued
            WHERE pg_notify('eryao_run', rescued.id || ' ' || rescued.session_id || ' queue') IS NOT NULL""";

    // A page of the pieces after a position: at most :pieces of them, and only as many as fit in
    // :bytes of text together, except that the first is always there (a reader always moves on).
    // The running sum reads each piece's stored size, not its text; "following" (the next piece's
    // index) says whether more are stored, in the same snapshot as the page.
    private static final String DELTAS_AFTER = """
            with next as (
                select d.attempt as attempt, d.deltaIndex as deltaIndex, d.kind as kind, d.content as content,
                       row_number() over (order by d.deltaIndex) as n,
                       sum(octet_length(d.content)) over (order by d.deltaIndex) as upto,
                       lead(d.deltaIndex) over (order by d.deltaIndex) as following
                from AgentRunDelta d
                where d.runId = :run and d.ownerId = :owner and d.attempt = :attempt and d.deltaIndex > :after
                order by d.deltaIndex
                limit :pieces)
            select p.attempt, p.deltaIndex, p.kind, p.content, p.following from next p
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
        return getOne(
                Restriction.equal(AgentRun_.ownerId, ownerId),
                Restriction.equal(AgentRun_.idempotencyKey, idempotencyKey));
    }

    /** A page of the owner's runs of a session ({@code status}: only those, or null for all). */
    public Page<AgentRun> pageOfSession(UUID ownerId, UUID sessionId, RunStatus status, PageRequest request) {
        Restriction<AgentRun> ofSession = Restriction.all(
                Restriction.equal(AgentRun_.ownerId, ownerId), Restriction.equal(AgentRun_.sessionId, sessionId));
        return page(
                status == null ? ofSession : Restriction.all(ofSession, Restriction.equal(AgentRun_.status, status)),
                request);
    }

    /** Claims the next due run for {@code worker} until {@code leaseExpires}, or none. */
    public Optional<RunClaim> claim(String worker, Instant now, Instant leaseExpires) {
        return claim(worker, now, leaseExpires, 1).stream().findFirst();
    }

    /**
     * Claims up to {@code limit} due runs for {@code worker} until {@code leaseExpires}, in one
     * statement, in turn order; at most one of any session (see CLAIM: every candidate's probes read
     * the statement's one snapshot, so a session's later run sees its earlier one still queued).
     */
    public List<RunClaim> claim(String worker, Instant now, Instant leaseExpires, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a claim takes at least one run: " + limit);
        }
        return statement(CLAIM)
                .setParameter("now", now)
                .setParameter("worker", worker)
                .setParameter("expires", leaseExpires)
                .setParameter("limit", limit)
                .getResultList()
                .stream()
                .map(row -> new RunClaim(
                        row.get("id", UUID.class),
                        row.get("attempts", Integer.class),
                        row.get("session_id", UUID.class),
                        row.get("owner_id", UUID.class),
                        row.get("llm_id", UUID.class),
                        row.get("held_points", Long.class),
                        row.get("input", String.class),
                        row.get("question_id", UUID.class),
                        row.get("max_steps", Integer.class),
                        row.get("max_points", Long.class),
                        row.get("tool_selection", String.class),
                        row.get("trace_parent", String.class),
                        row.get("parks", Integer.class),
                        row.get("pending_calls", String.class),
                        row.get("client_tools", String.class)))
                .toList();
    }

    /** Marks the claimed attempt succeeded; false when the claim is no longer this worker's. */
    public boolean succeed(RunClaim claim, String worker, String output, RunUsage usage, Instant now) {
        return succeed(claim, worker, output, "end_turn", usage, now);
    }

    /** {@link #succeed} with why the run stopped ({@code end_turn}, or a limit that ended it early). */
    public boolean succeed(
            RunClaim claim, String worker, String output, String stopReason, RunUsage usage, Instant now) {
        return finish(claim, worker, RunStatus.SUCCEEDED, output, null, stopReason, usage, now);
    }

    /**
     * Marks the claimed attempt cancelled, keeping what its model wrote until it was stopped and
     * what that used; false as for succeed.
     */
    public boolean stop(RunClaim claim, String worker, String output, String reason, RunUsage usage, Instant now) {
        return finish(claim, worker, RunStatus.CANCELLED, output, reason, "cancelled", usage, now);
    }

    private boolean finish(
            RunClaim claim,
            String worker,
            RunStatus status,
            String output,
            String error,
            String stopReason,
            RunUsage usage,
            Instant now) {
        return !guarded(FINISH, claim, worker, now)
                .setParameter("status", status.wireName())
                .setParameter("stopReason", stopReason)
                .setParameter("output", output)
                .setParameter("error", error, String.class)
                .setParameter("inputTokens", usage.inputTokens())
                .setParameter("outputTokens", usage.outputTokens())
                .setParameter("cost", usage.cost())
                .setParameter("estimated", usage.estimated())
                .getResultList()
                .isEmpty();
    }

    /**
     * Records a failed attempt: queued again, due at {@code retryAt} (when {@code retryAt} is not
     * null), or failed for good — or, when its stop was requested, cancelled with {@code written}
     * (what its model wrote) as its output and {@code stopped} as its error. A run this ends still
     * holds its points: the caller charges its recorded steps from them and releases the rest
     * ({@link HoldRepository#end}).
     *
     * @return the run as this left it; empty when the claim is no longer this worker's
     */
    public Optional<EndedRun> fail(
            RunClaim claim, String worker, String error, Instant retryAt, String written, String stopped, Instant now) {
        return guarded(FAIL, claim, worker, now)
                .setParameter("again", retryAt != null)
                .setParameter("retryAt", retryAt, Instant.class)
                .setParameter("error", error)
                .setParameter("written", written)
                .setParameter("stopped", stopped)
                .getResultList()
                .stream()
                .findFirst()
                .map(RunRepository::endedRun);
    }

    /**
     * Records that a run just finished (in this transaction) was charged {@code charged}, its hold,
     * less than the price its reported usage came to.
     */
    public void recordChargeCapped(UUID runId, long charged) {
        session()
                .createNativeQuery(CHARGE_CAPPED, Object.class)
                .addSynchronizedEntityClass(AgentRun.class)
                .setParameter("id", runId)
                .setParameter("charged", charged)
                .executeUpdate();
    }

    /**
     * Records on a run that failed or was cancelled (in this transaction) that its recorded steps
     * came to {@code cost} and it was charged {@code charged} of it.
     */
    public void recordChargedForSteps(UUID runId, long cost, long charged) {
        session()
                .createNativeQuery(CHARGED_FOR_STEPS, Object.class)
                .addSynchronizedEntityClass(AgentRun.class)
                .setParameter("id", runId)
                .setParameter("cost", cost)
                .setParameter("charged", charged)
                .executeUpdate();
    }

    /**
     * Stores piece {@code index} of the claimed attempt's stream (of {@code kind}: text its model
     * wrote, a tool call or a result; see AgentRunDelta), announces it, and extends the lease to
     * {@code leaseExpires}.
     *
     * @return whether the run is to stop; empty when the claim is no longer this worker's
     */
    public Optional<Boolean> append(
            RunClaim claim, String worker, int index, String kind, String content, Instant now, Instant leaseExpires) {
        return stopRequested(guarded(APPEND, claim, worker, now)
                .setParameter("expires", leaseExpires)
                .setParameter("index", index)
                .setParameter("kind", kind)
                .setParameter("content", content));
    }

    /**
     * Extends the claimed attempt's lease to {@code leaseExpires}.
     *
     * @return whether the run is to stop; empty when the claim is no longer this worker's
     */
    public Optional<Boolean> checkIn(RunClaim claim, String worker, Instant leaseExpires) {
        return stopRequested(statement(CHECK_IN)
                .setParameter("id", claim.runId())
                .setParameter("worker", worker)
                .setParameter("attempt", claim.attempt())
                .setParameter("expires", leaseExpires));
    }

    /**
     * The owner stops a run: cancelled now when it was queued, marked to stop when it is running
     * (its worker records it cancelled).
     *
     * @return the status the run had, and the run if this ended it (its hold still to settle);
     *         empty when the owner has no such run
     */
    public Optional<Cancel> cancel(UUID ownerId, UUID runId, String reason, Instant now) {
        return statement(CANCEL)
                .setParameter("id", runId)
                .setParameter("owner", ownerId)
                .setParameter("reason", reason)
                .setParameter("now", now)
                .getResultList()
                .stream()
                .findFirst()
                .map(row -> {
                    RunStatus was = RunStatus.fromWireName(row.get("was", String.class));
                    String after = row.get("status", String.class);
                    Optional<EndedRun> ended =
                            after == null || !RunStatus.fromWireName(after).finished()
                                    ? Optional.empty()
                                    : Optional.of(endedRun(row));
                    return new Cancel(was, ended);
                });
    }

    /** What a cancel found: the status the run had, and the run if the cancel ended it. */
    public record Cancel(RunStatus was, Optional<EndedRun> ended) {}

    /** {@link #cancel} for every queued, running and parked run of a session; each, as the statement left it. */
    public List<EndedRun> cancelRunsOfSession(UUID sessionId, String reason, Instant now) {
        return statement(CANCEL_SESSION_RUNS)
                .setParameter("session", sessionId)
                .setParameter("reason", reason)
                .setParameter("now", now)
                .getResultList()
                .stream()
                .map(RunRepository::endedRun)
                .toList();
    }

    /**
     * Takes back runs whose lease expired before {@code now} (their worker died or hung): queued
     * again, failed when that was their last attempt, cancelled when they were to stop; and cancels
     * queued runs of deleted sessions. Returns each, as this left it (the holds of those that ended
     * are the caller's to settle: {@link HoldRepository#end}).
     */
    public List<EndedRun> rescueExpired(Instant now, int maxAttempts, String orphanReason) {
        return statement(RESCUE)
                .setParameter("now", now)
                .setParameter("maxAttempts", maxAttempts)
                .setParameter("orphanReason", orphanReason)
                .getResultList()
                .stream()
                .map(RunRepository::endedRun)
                .toList();
    }

    /**
     * One page of the owner's pieces of the run's {@code attempt} after piece {@code afterIndex}
     * (-1: from the first), in order: at most {@code maxPieces} pieces holding at most
     * {@code maxBytes} bytes of text (UTF-8) together — but always the first piece, however large,
     * so that a reader moves on. Says whether more pieces are stored after the page.
     */
    public DeltaPage deltasAfter(UUID ownerId, UUID runId, int attempt, int afterIndex, int maxPieces, long maxBytes) {
        return DeltaPage.of(session()
                .createSelectionQuery(DELTAS_AFTER, Object[].class)
                .setParameter("run", runId)
                .setParameter("owner", ownerId)
                .setParameter("attempt", attempt)
                .setParameter("after", afterIndex)
                .setParameter("pieces", maxPieces)
                .setParameter("bytes", maxBytes)
                .getResultList());
    }

    private static EndedRun endedRun(Tuple row) {
        return new EndedRun(
                row.get("id", UUID.class),
                row.get("owner_id", UUID.class),
                row.get("held_points", Long.class),
                row.get("steps_points", Long.class),
                RunStatus.fromWireName(row.get("status", String.class)));
    }

    private static Optional<Boolean> stopRequested(NativeStatement<Tuple> statement) {
        return statement.getResultList().stream().findFirst().map(row -> row.get("stop", Boolean.class));
    }

    // The queue as an operator watches it: every queued run, and how long the longest-waiting due
    // one has been due (a retry is due at its backoff's end). Read at each metrics scrape, over the
    // queued runs' partial index.
    private static final String QUEUE_SUMMARY = """
            SELECT count(*) AS queued,
                   extract(epoch FROM CAST(:now AS timestamptz)
                       - min(scheduled_at) FILTER (WHERE scheduled_at <= CAST(:now AS timestamptz)))::float8
                       AS oldest_due_seconds
            FROM agent_run WHERE status = 'queued' AND deleted_at IS NULL""";

    /** How many runs are queued, and how long the oldest due one has waited at {@code now}. */
    public QueueSummary queueSummary(Instant now) {
        Tuple row = statement(QUEUE_SUMMARY)
                .setParameter("now", now, Instant.class)
                .getResultList()
                .getFirst();
        Double oldest = row.get("oldest_due_seconds", Double.class);
        return new QueueSummary(row.get("queued", Long.class), oldest == null ? 0 : Math.max(0, oldest));
    }

    /** A statement on runs, its rows read by column name. */
    private NativeStatement<Tuple> statement(String sql) {
        return session().createNativeQuery(sql, Tuple.class).addSynchronizedEntityClass(AgentRun.class);
    }

    /** A statement on the claimed attempt only: the guard's parameters bound, the rest to bind. */
    private NativeStatement<Tuple> guarded(String sql, RunClaim claim, String worker, Instant now) {
        return statement(sql)
                .setParameter("id", claim.runId())
                .setParameter("worker", worker)
                .setParameter("attempt", claim.attempt())
                .setParameter("now", now);
    }
}
