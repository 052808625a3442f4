package dev.eryao.services;

import dev.eryao.models.AgentRun;
import java.util.UUID;

/** The seed's {@code TaskAccepted}: a run was queued (or had been, for a repeated idempotency key). */
public record TaskAccepted(UUID taskId, UUID sessionId, String status) {
    static TaskAccepted of(AgentRun run) {
        return new TaskAccepted(run.getId(), run.getSessionId(), run.getStatus().wireName());
    }
}
