package dev.eryao.services;

import dev.eryao.models.AgentChatMessage;
import dev.eryao.models.MessageRole;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One chat message as services return it; {@code role} is sent as its wire name ({@code "user"}, ...). */
public record MessageView(
        UUID id,
        UUID sessionId,
        MessageRole role,
        String content,
        @Nullable Integer tokenCount,
        Instant createdAt) {
    static MessageView of(AgentChatMessage message) {
        return new MessageView(
                message.getId(),
                message.getSessionId(),
                message.getRole(),
                message.getContent(),
                message.getTokenCount(),
                message.getCreatedAt());
    }
}
