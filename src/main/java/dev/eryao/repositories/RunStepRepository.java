package dev.eryao.repositories;

import dev.eryao.core.db.CurrentSession;
import dev.eryao.core.db.RepositorySession;
import dev.eryao.models.AgentRun;
import dev.eryao.models.AgentRunStep;
import jakarta.persistence.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A run's steps: each written once, as it ends, by the attempt that holds the run's claim (the
 * insert reads the claim in the same statement, so a worker whose lease was lost writes nothing),
 * announced on the run's channel like every change of a run; read in order by the run's owner.
 */
public class RunStepRepository {
    // The step, only while the attempt holds the claim; the same statement extends the lease (a
    // tool call may take a while) and says whether the run is to stop.
    private static final String RECORD = """
            WITH run AS (
                UPDATE agent_run SET lease_expires_at = :expires
                WHERE id = :id AND status = 'running' AND leased_by = :worker AND attempts = :attempt
                RETURNING id, owner_id, session_id, cancel_requested_at IS NOT NULL AS stop),
            step AS (
                INSERT INTO agent_run_step (id, run_id, owner_id, attempt, step_index, kind, content, tool_calls,
                    tool_name, tool_call_id, arguments, result, is_error, input_tokens, output_tokens,
                    usage_estimated, points_charged, started_at, finished_at, created_at)
                SELECT gen_random_uuid(), id, owner_id, :attempt, :index, :kind, :content, :toolCalls,
                    :toolName, :toolCallId, :arguments, :result, :error, :inputTokens, :outputTokens,
                    :estimated, :points, :startedAt, :finishedAt, :now FROM run)
            SELECT stop FROM run WHERE pg_notify('eryao_run', run.id || ' ' || run.session_id) IS NOT NULL""";

    private static final String OF_RUN = """
            select s from AgentRunStep s
            where s.runId = :run and s.ownerId = :owner
            order by s.stepIndex""";

    // The steps a later run's context carries of each run in :runs (by position in the array):
    // the model steps that asked for tools and the tool steps; a model step that only answered is
    // its run's answer message already.
    private static final String OF_RUNS_FOR_CONTEXT = """
            SELECT s.run_id, s.kind, s.content, s.tool_calls, s.tool_call_id, s.result
            FROM unnest(CAST(:runs AS uuid[])) WITH ORDINALITY AS r(id, position)
            JOIN agent_run_step s ON s.run_id = r.id
            WHERE s.owner_id = :owner AND (s.kind = 'tool' OR s.tool_calls IS NOT NULL)
            ORDER BY r.position, s.step_index
            LIMIT :limit""";

    private final CurrentSession sessions;

    public RunStepRepository(CurrentSession sessions) {
        this.sessions = sessions;
    }

    /**
     * Records {@code step} of the claimed attempt and extends its lease to {@code leaseExpires}.
     *
     * @return whether the run is to stop; null when the claim is no longer this worker's (nothing written)
     */
    public Boolean record(RunClaim claim, String worker, StepRecord step, Instant now, Instant leaseExpires) {
        return session()
                .createNativeQuery(RECORD, Tuple.class)
                .addSynchronizedEntityClass(AgentRun.class)
                .addSynchronizedEntityClass(AgentRunStep.class)
                .setParameter("id", claim.runId())
                .setParameter("worker", worker)
                .setParameter("attempt", claim.attempt())
                .setParameter("expires", leaseExpires)
                .setParameter("index", step.index())
                .setParameter("kind", step.kind())
                .setParameter("content", step.content(), String.class)
                .setParameter("toolCalls", step.toolCallsJson(), String.class)
                .setParameter("toolName", step.toolName(), String.class)
                .setParameter("toolCallId", step.toolCallId(), String.class)
                .setParameter("arguments", step.arguments(), String.class)
                .setParameter("result", step.result(), String.class)
                .setParameter("error", step.error())
                .setParameter("inputTokens", step.inputTokens(), Integer.class)
                .setParameter("outputTokens", step.outputTokens(), Integer.class)
                .setParameter("estimated", step.usageEstimated())
                .setParameter("points", step.pointsCharged())
                .setParameter("startedAt", step.startedAt())
                .setParameter("finishedAt", step.finishedAt())
                .setParameter("now", now)
                .getResultList()
                .stream()
                .findFirst()
                .map(row -> row.get("stop", Boolean.class))
                .orElse(null);
    }

    /** The owner's steps of the run, in order (none for another owner's run). */
    public List<AgentRunStep> ofRun(UUID ownerId, UUID runId) {
        return session()
                .createSelectionQuery(OF_RUN, AgentRunStep.class)
                .setParameter("run", runId)
                .setParameter("owner", ownerId)
                .getResultList();
    }

    /**
     * The owner's tool calls and results of {@code runIds}, run by run in the order given, each
     * run's in step order: at most {@code limit} rows, and a run whose steps do not all fit is left
     * out whole (none of its steps), so that no run's calls are carried without their results.
     * One statement for all the runs.
     */
    public List<ContextStep> ofRunsForContext(UUID ownerId, List<UUID> runIds, int limit) {
        if (runIds.isEmpty()) {
            return List.of();
        }
        List<ContextStep> rows = session()
                .createNativeQuery(OF_RUNS_FOR_CONTEXT, Tuple.class)
                .addSynchronizedEntityClass(AgentRunStep.class)
                .setParameter("runs", runIds.toArray(UUID[]::new), UUID[].class)
                .setParameter("owner", ownerId)
                .setParameter("limit", limit + 1)
                .getResultList()
                .stream()
                .map(row -> new ContextStep(
                        row.get("run_id", UUID.class),
                        row.get("kind", String.class),
                        row.get("content", String.class),
                        row.get("tool_calls", String.class),
                        row.get("tool_call_id", String.class),
                        row.get("result", String.class)))
                .toList();
        if (rows.size() <= limit) {
            return rows;
        }
        UUID cut = rows.get(limit).runId();
        return rows.subList(0, limit).stream()
                .filter(step -> !step.runId().equals(cut))
                .toList();
    }

    private RepositorySession session() {
        return sessions.session();
    }
}
