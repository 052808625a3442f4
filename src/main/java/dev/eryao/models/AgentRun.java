package dev.eryao.models;

import dev.eryao.core.db.References;
import dev.eryao.core.db.Timestamps;
import dev.eryao.core.db.UpdatableEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.ColumnDefault;
import org.hibernate.annotations.SoftDelete;
import org.hibernate.annotations.SoftDeleteType;

/**
 * An agent run accepted as a queued task (the seed's {@code RunAccepted}). Workers claim it under
 * a lease ({@code leased_by}, {@code lease_expires_at}); {@code scheduled_at} is the earliest time
 * it may be claimed, pushed back after a failed attempt.
 */
@Entity
@Table(
        name = "agent_run",
        indexes = {
            // an idempotency key names one run per owner forever, deleted or not
            @Index(
                    name = "ix_agent_run_owner_id_idempotency_key",
                    columnList = "owner_id, idempotency_key",
                    unique = true,
                    options = "WHERE idempotency_key IS NOT NULL"),
            // a session's runs in the order they were accepted: the claim takes a session's runs one at a
            // time in that order (no earlier open run of the session), and the session's runs are listed
            @Index(name = "ix_agent_run_session_id_created_at_id", columnList = "session_id, created_at, id"),
            // a session's open runs by status (parked ones are open): the claim's two probes (one running or
            // parked? an earlier one queued?)
            @Index(
                    name = "ix_agent_run_session_id_status_created_at_id",
                    columnList = "session_id, status, created_at, id",
                    options =
                            "WHERE status IN ('queued', 'running', 'requires_approval', 'requires_action') AND deleted_at IS NULL"),
            // what workers claim next: (turn_at, id) is the claim's ORDER BY, so an ordered scan stops at
            // the first unlocked due run instead of sorting every queued one (runs queued in the same
            // microsecond are common)
            @Index(
                    name = "ix_agent_run_turn_at_id",
                    columnList = "turn_at, id",
                    options = "WHERE status = 'queued' AND deleted_at IS NULL"),
            // an owner's open runs: counted at enqueue (the per-owner limit), and where its next turn falls
            @Index(
                    name = "ix_agent_run_owner_id_turn_at",
                    columnList = "owner_id, turn_at",
                    options =
                            "WHERE status IN ('queued', 'running', 'requires_approval', 'requires_action') AND deleted_at IS NULL"),
            // the parked runs, oldest first: what the expiry sweep reads
            @Index(
                    name = "ix_agent_run_parked_at",
                    columnList = "parked_at",
                    options = "WHERE status IN ('requires_approval', 'requires_action') AND deleted_at IS NULL"),
            @Index(
                    name = "ix_agent_run_lease_expires_at",
                    columnList = "lease_expires_at",
                    options = "WHERE status = 'running'")
        })
@SoftDelete(columnName = "deleted_at", strategy = SoftDeleteType.TIMESTAMP)
public class AgentRun extends UpdatableEntity {
    @References(AgentChatSession.class)
    @Column(name = "session_id", nullable = false, updatable = false)
    private UUID sessionId;

    @Column(name = "owner_id", nullable = false, updatable = false)
    private UUID ownerId;

    @References(LlmModel.class)
    @Column(name = "llm_id")
    private UUID llmId;

    // the user message this run answers: the one written with it, or, for a regenerated run, its
    // original's (the run's context is the chain of messages that leads to it)
    @References(AgentChatMessage.class)
    @Column(name = "question_id", updatable = false)
    private UUID questionId;

    // Named here: autoApply converters are not registered with the model list, and the ordinal
    // Hibernate would otherwise store breaks the column's CHECK constraint.
    @Convert(converter = RunStatusConverter.class)
    @ColumnDefault("'queued'")
    @Column(name = "status", nullable = false, length = 20)
    private RunStatus status = RunStatus.QUEUED;

    @Column(name = "input", nullable = false, columnDefinition = "text")
    private String input;

    @Column(name = "output", columnDefinition = "text")
    private String output;

    @Column(name = "error", columnDefinition = "text")
    private String error;

    @ColumnDefault("0")
    @Column(name = "attempts", nullable = false)
    private int attempts;

    @Column(name = "idempotency_key", length = 200, updatable = false)
    private String idempotencyKey;

    @ColumnDefault("now()")
    @Column(name = "scheduled_at", nullable = false)
    private Instant scheduledAt;

    // Where the run stands in the claim's order, which takes turns between owners: an owner's
    // first open run takes its turn when it is queued, each further one a TURN after the owner's
    // last open run (RunService), so one owner's backlog waits behind other owners' runs instead
    // of before them. Kept through retries: a retried run keeps its place.
    @ColumnDefault("now()")
    @Column(name = "turn_at", nullable = false)
    private Instant turnAt;

    @Column(name = "leased_by", length = 200)
    private String leasedBy;

    @Column(name = "lease_expires_at")
    private Instant leaseExpiresAt;

    @Column(name = "started_at")
    private Instant startedAt;

    // usage, set when the run succeeds: tokens as the model reported them, its price in points,
    // and what was charged (less than the price only when the provider counted more prompt than
    // the hold's bound and the owner had too little left beside it: charge_capped; see RunPrice)
    @Column(name = "input_tokens")
    private Integer inputTokens;

    @Column(name = "output_tokens")
    private Integer outputTokens;

    @Column(name = "cost_points")
    private Long costPoints;

    @Column(name = "charged_points")
    private Long chargedPoints;

    @ColumnDefault("false")
    @Column(name = "charge_capped", nullable = false)
    private boolean chargeCapped;
    // the provider sent no usage: the token counts are our upper bounds (the prompt's bound, the
    // UTF-8 bytes of the answer), never more than the hold
    @ColumnDefault("false")
    @Column(name = "usage_estimated", nullable = false)
    private boolean usageEstimated;

    @Column(name = "finished_at")
    private Instant finishedAt;

    // set when the owner asks to stop the run while a worker performs it (or its session is
    // deleted); the worker stops reading the model and records the run cancelled
    @Column(name = "cancel_requested_at")
    private Instant cancelRequestedAt;

    // why the run stopped, once it has finished (end_turn, max_steps, insufficient_points,
    // max_points, cancelled, error: RunExecutionService)
    @Column(name = "stop_reason", length = 30)
    private String stopReason;

    // the most model steps the run may take (its model calling tools), and the most points it may
    // cost in all (null: no cap beyond the owner's balance)
    @Column(name = "max_steps")
    private Integer maxSteps;

    @Column(name = "max_points")
    private Long maxPoints;

    // the registered tools its model may call, as a JSON list of the names it was accepted with
    // (a server's, or <server>__<tool>); null: none
    @Column(name = "tool_selection", columnDefinition = "text")
    private String toolSelection;

    // the W3C traceparent of the request that accepted it, which its workers' spans continue
    // (null: that request was not traced)
    @Column(name = "trace_parent", updatable = false, columnDefinition = "text")
    private String traceParent;

    // the most this run can cost, held from the owner's points while it is queued or running
    @ColumnDefault("0")
    @Column(name = "held_points", nullable = false)
    private long heldPoints;

    // While it waits for its owner (requires_approval, requires_action): since when, and the calls
    // it waits on, as a JSON list (services.PendingCalls) that gathers the owner's decisions and
    // outputs; kept once it is queued again, for the attempt that resumes it.
    @Column(name = "parked_at")
    private Instant parkedAt;

    @Column(name = "pending_calls", columnDefinition = "text")
    private String pendingCalls;

    // the tools its client performs, as the run declared them (a JSON list of name, description,
    // parameters); null: none
    @Column(name = "client_tools", updatable = false, columnDefinition = "text")
    private String clientTools;

    // how many of its attempts ended parked: not failures, so its retries are attempts - parks
    @ColumnDefault("0")
    @Column(name = "parks", nullable = false)
    private int parks;

    protected AgentRun() {}

    public AgentRun(
            UUID sessionId,
            UUID ownerId,
            UUID llmId,
            String input,
            String idempotencyKey,
            long heldPoints,
            Instant turnAt,
            UUID questionId) {
        this.questionId = questionId;
        this.turnAt = turnAt;
        this.sessionId = sessionId;
        this.heldPoints = heldPoints;
        this.ownerId = ownerId;
        this.llmId = llmId;
        this.input = input;
        this.idempotencyKey = idempotencyKey;
        this.scheduledAt = Timestamps.now();
    }

    public UUID getSessionId() {
        return sessionId;
    }

    public UUID getOwnerId() {
        return ownerId;
    }

    public UUID getLlmId() {
        return llmId;
    }

    /** The user message this run answers (null only for a run older than questions were recorded). */
    public UUID getQuestionId() {
        return questionId;
    }

    public RunStatus getStatus() {
        return status;
    }

    public String getInput() {
        return input;
    }

    public String getOutput() {
        return output;
    }

    public String getError() {
        return error;
    }

    public int getAttempts() {
        return attempts;
    }

    public String getIdempotencyKey() {
        return idempotencyKey;
    }

    public Instant getTurnAt() {
        return turnAt;
    }

    public Instant getScheduledAt() {
        return scheduledAt;
    }

    public String getLeasedBy() {
        return leasedBy;
    }

    public Instant getLeaseExpiresAt() {
        return leaseExpiresAt;
    }

    public Instant getStartedAt() {
        return startedAt;
    }

    public Instant getFinishedAt() {
        return finishedAt;
    }

    public Instant getCancelRequestedAt() {
        return cancelRequestedAt;
    }

    public Integer getInputTokens() {
        return inputTokens;
    }

    public Integer getOutputTokens() {
        return outputTokens;
    }

    public Long getCostPoints() {
        return costPoints;
    }

    public Long getChargedPoints() {
        return chargedPoints;
    }

    public boolean isChargeCapped() {
        return chargeCapped;
    }

    public boolean isUsageEstimated() {
        return usageEstimated;
    }

    public String getStopReason() {
        return stopReason;
    }

    public Integer getMaxSteps() {
        return maxSteps;
    }

    public Long getMaxPoints() {
        return maxPoints;
    }

    public String getToolSelection() {
        return toolSelection;
    }

    /** The registered tools the run may use, as a JSON list of names (null: none). */
    public void selectTools(String toolSelectionJson) {
        this.toolSelection = toolSelectionJson;
    }

    public String getClientTools() {
        return clientTools;
    }

    /** The tools the run's client performs, as a JSON list (null: none). */
    public void declareClientTools(String clientToolsJson) {
        this.clientTools = clientToolsJson;
    }

    public Instant getParkedAt() {
        return parkedAt;
    }

    public String getPendingCalls() {
        return pendingCalls;
    }

    public int getParks() {
        return parks;
    }

    /** The trace the accepting request belongs to, as a W3C traceparent (null: it was not traced). */
    public void traceFrom(String traceParent) {
        this.traceParent = traceParent;
    }

    /** The limits the run was accepted with (null: the defaults, no cap). */
    public void limit(Integer maxSteps, Long maxPoints) {
        this.maxSteps = maxSteps;
        this.maxPoints = maxPoints;
    }

    public long getHeldPoints() {
        return heldPoints;
    }
}
