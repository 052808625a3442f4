package dev.eryao.services;

import dev.eryao.models.AgentRun;
import java.time.Instant;
import java.util.UUID;

/** Where an agent run stands; {@code output} and {@code error} are set once it has finished. */
public record RunView(UUID taskId, UUID sessionId, UUID llmId, String status, String output, String error,
                      int attempts, Instant createdAt, Instant startedAt, Instant finishedAt) {
    static RunView of(AgentRun run) {
        boolean finished = run.getStatus().finished();
        return new RunView(run.getId(), run.getSessionId(), run.getLlmId(), run.getStatus().wireName(),
                finished ? run.getOutput() : null, finished ? run.getError() : null, run.getAttempts(),
                run.getCreatedAt(), run.getStartedAt(), run.getFinishedAt());
    }
}
