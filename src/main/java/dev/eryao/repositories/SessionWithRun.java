package dev.eryao.repositories;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A session's columns and its run in flight (its running run, else its oldest queued one; null when
 * none is open), read as values rather than as a managed entity: the hot {@code GET} of a session
 * only answers them, and an entity would cost Hibernate its initialization and its place in the
 * persistence context on every request, for nothing.
 */
public record SessionWithRun(
        UUID id,
        UUID ownerId,
        String title,
        @Nullable UUID llmId,
        @Nullable UUID activeRun,
        Instant createdAt,
        Instant updatedAt) {}
