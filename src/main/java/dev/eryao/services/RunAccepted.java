package dev.eryao.services;

import dev.eryao.models.AgentRun;
import dev.eryao.models.RunStatus;
import java.util.UUID;

/**
 * The seed's {@code RunAccepted}: a run was queued (or had been, for a repeated idempotency key).
 *
 * @param status sent as its wire name ({@code "queued"}, or where a replayed run stands now)
 */
public record RunAccepted(UUID taskId, UUID sessionId, RunStatus status) {
    static RunAccepted of(AgentRun run) {
        return new RunAccepted(run.getId(), run.getSessionId(), run.getStatus());
    }
}
