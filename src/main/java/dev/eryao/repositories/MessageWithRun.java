package dev.eryao.repositories;

import dev.eryao.models.MessageRole;
import dev.eryao.models.RunStatus;
import java.time.Instant;
import java.util.UUID;

/**
 * A message as a conversation shows it: with the message it follows and its run — for an answer
 * the run that wrote it, for a question the run it was asked with — and that run's status.
 *
 * @param parentId  null for the first message of its session
 * @param runId     null only for a message older than runs were recorded
 * @param runStatus the run's status, null when {@code runId} is
 */
public record MessageWithRun(
        UUID id,
        UUID sessionId,
        UUID parentId,
        UUID runId,
        MessageRole role,
        String content,
        Integer tokenCount,
        boolean stopped,
        Instant createdAt,
        RunStatus runStatus) {}
