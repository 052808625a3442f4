package dev.eryao.services;

import dev.eryao.models.AgentRun;
import java.util.UUID;

/** The seed's {@code RunAccepted}: a run was queued (or had been, for a repeated idempotency key). */
public record RunAccepted(UUID taskId, UUID sessionId, String status) {
    static RunAccepted of(AgentRun run) {
        return new RunAccepted(run.getId(), run.getSessionId(), run.getStatus().wireName());
    }
}
