package dev.eryao.models;

import dev.eryao.core.db.UpdatableEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.util.UUID;
import org.hibernate.annotations.SoftDelete;
import org.hibernate.annotations.SoftDeleteType;

/** One message of a chat session. */
@Entity
@Table(name = "agent_chat_message")
@SoftDelete(columnName = "deleted_at", strategy = SoftDeleteType.TIMESTAMP)
public class AgentChatMessage extends UpdatableEntity {
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

    protected AgentChatMessage() {
    }

    public AgentChatMessage(UUID sessionId, UUID ownerId, MessageRole role, String content, Integer tokenCount) {
        this.sessionId = sessionId;
        this.ownerId = ownerId;
        this.role = role;
        this.content = content;
        this.tokenCount = tokenCount;
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
