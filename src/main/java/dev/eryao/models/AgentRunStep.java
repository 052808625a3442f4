package dev.eryao.models;

import dev.eryao.core.db.BaseEntity;
import dev.eryao.core.db.References;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.ColumnDefault;
import org.hibernate.annotations.Immutable;

/**
 * One step of a run: a call of its model ({@code model}: what it wrote, the tools it asked for,
 * its usage and what it was charged) or of a tool ({@code tool}: which call of which tool, with
 * which arguments, and its result or error). Numbered from 0 within the run, across attempts,
 * written once as the step ends and never changed: a retried attempt continues after the last
 * recorded step, so no step is paid twice. Arguments and results are stored as data, never read as
 * anything but text.
 */
@Entity
@Immutable
@Table(
        name = "agent_run_step",
        indexes = {
            @Index(name = "ix_agent_run_step_run_id_step_index", columnList = "run_id, step_index", unique = true)
        })
public class AgentRunStep extends BaseEntity {
    @References(AgentRun.class)
    @Column(name = "run_id", nullable = false, updatable = false)
    private UUID runId;

    @Column(name = "owner_id", nullable = false, updatable = false)
    private UUID ownerId;

    @Column(name = "attempt", nullable = false, updatable = false)
    private int attempt;

    @Column(name = "step_index", nullable = false, updatable = false)
    private int stepIndex;

    @Column(name = "kind", nullable = false, updatable = false, length = 10)
    private String kind;

    // a model step: the text it wrote, and the calls it asked for (a JSON list of {id, name, arguments})
    @Column(name = "content", updatable = false, columnDefinition = "text")
    private String content;

    @Column(name = "tool_calls", updatable = false, columnDefinition = "text")
    private String toolCalls;

    // a tool step: the call it performs and what came of it
    @Column(name = "tool_name", updatable = false, length = 200)
    private String toolName;

    @Column(name = "tool_call_id", updatable = false, length = 200)
    private String toolCallId;

    @Column(name = "arguments", updatable = false, columnDefinition = "text")
    private String arguments;

    @Column(name = "result", updatable = false, columnDefinition = "text")
    private String result;

    @ColumnDefault("false")
    @Column(name = "is_error", nullable = false, updatable = false)
    private boolean error;

    @Column(name = "input_tokens", updatable = false)
    private Integer inputTokens;

    @Column(name = "output_tokens", updatable = false)
    private Integer outputTokens;

    @ColumnDefault("false")
    @Column(name = "usage_estimated", nullable = false, updatable = false)
    private boolean usageEstimated;

    @ColumnDefault("0")
    @Column(name = "points_charged", nullable = false, updatable = false)
    private long pointsCharged;

    @Column(name = "started_at", nullable = false, updatable = false)
    private Instant startedAt;

    @Column(name = "finished_at", nullable = false, updatable = false)
    private Instant finishedAt;

    protected AgentRunStep() {}

    public UUID getRunId() {
        return runId;
    }

    public UUID getOwnerId() {
        return ownerId;
    }

    public int getAttempt() {
        return attempt;
    }

    public int getStepIndex() {
        return stepIndex;
    }

    public String getKind() {
        return kind;
    }

    public String getContent() {
        return content;
    }

    public String getToolCalls() {
        return toolCalls;
    }

    public String getToolName() {
        return toolName;
    }

    public String getToolCallId() {
        return toolCallId;
    }

    public String getArguments() {
        return arguments;
    }

    public String getResult() {
        return result;
    }

    public boolean isError() {
        return error;
    }

    public Integer getInputTokens() {
        return inputTokens;
    }

    public Integer getOutputTokens() {
        return outputTokens;
    }

    public boolean isUsageEstimated() {
        return usageEstimated;
    }

    public long getPointsCharged() {
        return pointsCharged;
    }

    public Instant getStartedAt() {
        return startedAt;
    }

    public Instant getFinishedAt() {
        return finishedAt;
    }
}
