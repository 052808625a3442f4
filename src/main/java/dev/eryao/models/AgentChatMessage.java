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
                    options = "WHERE deleted_at IS NULL")
        })
@SoftDelete(columnName = "deleted_at", strategy = SoftDeleteType.TIMESTAMP)
public class AgentChatMessage extends UpdatableEntity {
    @References(AgentChatSession.class)
    @Column(name = "session_id", nullable = false, updatable = false)
    private UUID sessionId;

    @Column(name = "owner_id", nullable = false, updatable = false)
    private UUID ownerId;

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

    public AgentChatMessage(UUID sessionId, UUID ownerId, MessageRole role, String content, Integer tokenCount) {
        this.sessionId = sessionId;
        this.ownerId = ownerId;
        this.role = role;
        this.content = content;
        this.tokenCount = tokenCount;
    }

    /** The assistant's answer of a run stopped before its model finished: the text written until then. */
    public static AgentChatMessage stoppedAnswer(UUID sessionId, UUID ownerId, String content, Integer tokenCount) {
        AgentChatMessage message = new AgentChatMessage(sessionId, ownerId, MessageRole.ASSISTANT, content, tokenCount);
        message.stopped = true;
        return message;
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
