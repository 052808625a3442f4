package dev.eryao.services;

import dev.eryao.models.AgentChatSession;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A chat session as services return it: plain data, safe to use after the transaction ended. */
public record SessionView(
        UUID id, UUID ownerId, String title, @Nullable UUID llmId, Instant createdAt, Instant updatedAt) {
    static SessionView of(AgentChatSession session) {
        return new SessionView(
                session.getId(),
                session.getOwnerId(),
                session.getTitle(),
                session.getLlmId(),
                session.getCreatedAt(),
                session.getUpdatedAt());
    }
}
