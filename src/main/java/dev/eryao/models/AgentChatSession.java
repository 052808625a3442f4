package dev.eryao.models;

import dev.eryao.core.db.References;
import dev.eryao.core.db.UpdatableEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.util.UUID;
import org.hibernate.annotations.SoftDelete;
import org.hibernate.annotations.SoftDeleteType;

/** A chat with an agent, owned by one user (the verified JWT's {@code sub}). */
@Entity
@Table(
        name = "agent_chat_session",
        indexes = {
            // an owner's live sessions, newest first: the list endpoint's keyset order
            @Index(
                    name = "ix_agent_chat_session_owner_id_created_at_id",
                    columnList = "owner_id, created_at DESC, id DESC",
                    options = "WHERE deleted_at IS NULL")
        })
@SoftDelete(columnName = "deleted_at", strategy = SoftDeleteType.TIMESTAMP)
public class AgentChatSession extends UpdatableEntity {
    public static final int TITLE_MAX_LENGTH = 200;

    @Column(name = "owner_id", nullable = false, updatable = false)
    private UUID ownerId;

    @Column(name = "title", nullable = false, length = TITLE_MAX_LENGTH)
    private String title;

    @References(LlmModel.class)
    @Column(name = "llm_id")
    private UUID llmId;

    protected AgentChatSession() {}

    public AgentChatSession(UUID ownerId, String title, UUID llmId) {
        this.ownerId = ownerId;
        this.title = title;
        this.llmId = llmId;
    }

    public UUID getOwnerId() {
        return ownerId;
    }

    public String getTitle() {
        return title;
    }

    public UUID getLlmId() {
        return llmId;
    }

    public void rename(String newTitle) {
        this.title = newTitle;
    }

    public void useLlm(UUID newLlmId) {
        this.llmId = newLlmId;
    }
}
