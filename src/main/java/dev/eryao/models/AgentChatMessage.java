package dev.eryao.models;

import dev.eryao.core.db.References;
import dev.eryao.core.db.UpdatableEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.util.UUID;
import org.hibernate.annotations.ColumnDefault;
import org.hibernate.annotations.SoftDelete;
import org.hibernate.annotations.SoftDeleteType;

/** One message of a chat session. */
@Entity
@Table(
        name = "agent_chat_message",
        indexes = {
            @Index(
                    name = "ix_agent_chat_message_session_id_created_at_id",
                    columnList = "session_id, created_at, id",
                    options = "WHERE deleted_at IS NULL"),
            // a message's replies (regenerated answers, edited questions are siblings), and a run's answers
            @Index(name = "ix_agent_chat_message_parent_id", columnList = "parent_id"),
            @Index(name = "ix_agent_chat_message_run_id", columnList = "run_id")
        })
@SoftDelete(columnName = "deleted_at", strategy = SoftDeleteType.TIMESTAMP)
public class AgentChatMessage extends UpdatableEntity {
    @References(AgentChatSession.class)
    @Column(name = "session_id", nullable = false, updatable = false)
    private UUID sessionId;

    @Column(name = "owner_id", nullable = false, updatable = false)
    private UUID ownerId;

    // the message this one follows (null: the first of its session); an answer follows its own
    // question, a question the answer (or question) it was asked after. A question queued behind an
    // open run follows that run's question until the run's answer is written, then the answer.
    @References(AgentChatMessage.class)
    @Column(name = "parent_id")
    private UUID parentId;

    // an answer's run: the one whose model wrote it (a question's runs name it: AgentRun.question_id)
    @References(AgentRun.class)
    @Column(name = "run_id", updatable = false)
    private UUID runId;

    // Named here: autoApply converters are not registered with the model list, and the ordinal
    // Hibernate would otherwise store breaks the column's CHECK constraint.
    @Convert(converter = MessageRoleConverter.class)
    @Column(name = "role", nullable = false, length = 20)
    private MessageRole role;

    @Column(name = "content", nullable = false, columnDefinition = "text")
    private String content;

    @Column(name = "token_count")
    private Integer tokenCount;

    // an assistant message whose run was stopped: the text its model had written until then
    @ColumnDefault("false")
    @Column(name = "stopped", nullable = false)
    private boolean stopped;

    protected AgentChatMessage() {}

    /** A user's question, following {@code parentId} (null: the first message of its session). */
    public static AgentChatMessage question(UUID sessionId, UUID ownerId, UUID parentId, String content) {
        AgentChatMessage message = new AgentChatMessage(sessionId, ownerId, MessageRole.USER, content, null);
        message.parentId = parentId;
        return message;
    }

    /**
     * The answer a run's model wrote to {@code questionId}; {@code stopped} when the run was stopped
     * before its model finished (the text written until then).
     */
    public static AgentChatMessage answer(
            UUID sessionId,
            UUID ownerId,
            UUID runId,
            UUID questionId,
            String content,
            Integer tokenCount,
            boolean stopped) {
        AgentChatMessage message = new AgentChatMessage(sessionId, ownerId, MessageRole.ASSISTANT, content, tokenCount);
        message.runId = runId;
        message.parentId = questionId;
        message.stopped = stopped;
        return message;
    }

    public AgentChatMessage(UUID sessionId, UUID ownerId, MessageRole role, String content, Integer tokenCount) {
        this.sessionId = sessionId;
        this.ownerId = ownerId;
        this.role = role;
        this.content = content;
        this.tokenCount = tokenCount;
    }

    public UUID getParentId() {
        return parentId;
    }

    public UUID getRunId() {
        return runId;
    }

    public boolean isStopped() {
        return stopped;
    }

    public UUID getSessionId() {
        return sessionId;
    }

    public UUID getOwnerId() {
        return ownerId;
    }

    public MessageRole getRole() {
        return role;
    }

    public String getContent() {
        return content;
    }

    public Integer getTokenCount() {
        return tokenCount;
    }
}
