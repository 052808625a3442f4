package dev.eryao.services;

import dev.eryao.models.MessageRole;
import dev.eryao.models.RunStatus;
import dev.eryao.repositories.MessageWithRun;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One chat message as services return it; {@code role} is sent as its wire name ({@code "user"}, ...).
 *
 * @param parentId  the message this one follows, null for the first of its session: a session is a
 *                  tree (regenerated answers and edited questions are siblings)
 * @param runId     an answer's run (the one whose model wrote it), a question's run (the first to
 *                  answer it); null only for messages older than runs were recorded
 * @param stopped   an answer whose run was stopped before its model finished: the text written until then
 * @param runStatus that run's status: a question whose run failed shows it, with no answer
 */
public record MessageView(
        UUID id,
        UUID sessionId,
        @Nullable UUID parentId,
        @Nullable UUID runId,
        MessageRole role,
        String content,
        @Nullable Integer tokenCount,
        boolean stopped,
        @Nullable RunStatus runStatus,
        Instant createdAt) {
    static MessageView of(MessageWithRun message) {
        return new MessageView(
                message.id(),
                message.sessionId(),
                message.parentId(),
                message.runId(),
                message.role(),
                message.content(),
                message.tokenCount(),
                message.stopped(),
                message.runStatus(),
                message.createdAt());
    }
}
