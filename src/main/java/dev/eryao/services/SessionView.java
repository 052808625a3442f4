package dev.eryao.services;

import dev.eryao.models.AgentChatSession;
import dev.eryao.repositories.SessionWithRun;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A chat session as services return it: plain data, safe to use after the transaction ended.
 *
 * @param activeRunId the session's run in flight — its running run, else its oldest queued one —
 *                    or null: a reloaded page follows it at once
 */
public record SessionView(
        UUID id,
        UUID ownerId,
        String title,
        @Nullable UUID llmId,
        @Nullable UUID activeRunId,
        Instant createdAt,
        Instant updatedAt) {
    static SessionView of(AgentChatSession session, UUID activeRunId) {
        return new SessionView(
                session.getId(),
                session.getOwnerId(),
                session.getTitle(),
                session.getLlmId(),
                activeRunId,
                session.getCreatedAt(),
                session.getUpdatedAt());
    }

    static SessionView of(SessionWithRun session) {
        return new SessionView(
                session.id(),
                session.ownerId(),
                session.title(),
                session.llmId(),
                session.activeRun(),
                session.createdAt(),
                session.updatedAt());
    }
}
