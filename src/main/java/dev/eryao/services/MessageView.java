package dev.eryao.services;

import dev.eryao.models.AgentChatMessage;
import java.time.Instant;
import java.util.UUID;

/** One chat message as services return it. */
public record MessageView(UUID id, UUID sessionId, String role, String content, Integer tokenCount, Instant createdAt) {
    static MessageView of(AgentChatMessage message) {
        return new MessageView(message.getId(), message.getSessionId(), message.getRole().wireName(),
                message.getContent(), message.getTokenCount(), message.getCreatedAt());
    }
}
