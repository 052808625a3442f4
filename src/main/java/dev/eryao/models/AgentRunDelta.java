package dev.eryao.models;

import dev.eryao.core.db.BaseEntity;
import dev.eryao.core.db.References;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.util.UUID;
import org.hibernate.annotations.ColumnDefault;
import org.hibernate.annotations.Immutable;

/**
 * A piece of the answer a running run's model has written so far: the text of one write by the
 * worker (it gathers the chunks that arrive while the previous write is in flight), numbered from 0
 * within the run's attempt. Stored, so that every {@code serve} process can stream a run that
 * another process's worker performs, and a client that connects late or reconnects can be sent
 * what it missed. Written once and never changed; the deltas of an attempt that failed stay, and
 * streams send only those of the run's current attempt.
 *
 * <p>A row is of a kind ({@link #TEXT}, {@link #TOOL_CALL}, {@link #TOOL_RESULT}): the tool calls a
 * model step asked for and their results are numbered in the same sequence as the text, so a
 * stream is one ordered log and a reconnect resumes in it by the same id. The content of a tool
 * row is its event as JSON.
 */
@Entity
@Immutable
@Table(
        name = "agent_run_delta",
        indexes = {
            @Index(
                    name = "ix_agent_run_delta_run_id_attempt_delta_index",
                    columnList = "run_id, attempt, delta_index",
                    unique = true)
        })
public class AgentRunDelta extends BaseEntity {
    /** A piece of the text the model wrote. */
    public static final String TEXT = "text";
    /** A tool call a model step asked for: {@code {"id", "tool", "arguments"}}. */
    public static final String TOOL_CALL = "tool_call";
    /** A tool call's result: {@code {"id", "tool", "result", "error"}}. */
    public static final String TOOL_RESULT = "tool_result";

    @References(AgentRun.class)
    @Column(name = "run_id", nullable = false, updatable = false)
    private UUID runId;

    @Column(name = "owner_id", nullable = false, updatable = false)
    private UUID ownerId;

    @Column(name = "attempt", nullable = false, updatable = false)
    private int attempt;

    @Column(name = "delta_index", nullable = false, updatable = false)
    private int deltaIndex;

    @ColumnDefault("'text'")
    @Column(name = "kind", nullable = false, updatable = false, length = 20)
    private String kind;

    @Column(name = "content", nullable = false, updatable = false, columnDefinition = "text")
    private String content;

    protected AgentRunDelta() {}

    public UUID getRunId() {
        return runId;
    }

    public UUID getOwnerId() {
        return ownerId;
    }

    public int getAttempt() {
        return attempt;
    }

    public int getDeltaIndex() {
        return deltaIndex;
    }

    public String getKind() {
        return kind;
    }

    public String getContent() {
        return content;
    }
}
