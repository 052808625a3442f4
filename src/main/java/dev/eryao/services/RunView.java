package dev.eryao.services;

import dev.eryao.models.AgentRun;
import dev.eryao.models.RunStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Where an agent run stands; {@code output}, {@code error} and usage are set once it has finished.
 *
 * @param status            sent as its wire name ({@code "queued"}, ...)
 * @param chargedPoints     what the run was charged; less than {@code costPoints} only when the
 *                          balance ran out, and then {@code chargeCapped} is true
 * @param usageEstimated    the provider reported no usage: the counts are upper bounds of ours
 * @param cancelRequestedAt when its owner asked to stop it (or deleted its session), if they did;
 *                          a running run with it set becomes cancelled within a second or so
 * @param stopReason        why it stopped, once finished: {@code end_turn} (its model answered),
 *                          {@code max_steps}, {@code insufficient_points}, {@code max_points} (a limit
 *                          stopped it between steps; it succeeded with what it produced),
 *                          {@code cancelled}, {@code error}, {@code expired} (it waited for its
 *                          owner longer than ERYAO_RUNS__PARKED_EXPIRY_SECONDS); while it is parked,
 *                          {@code requires_approval} or {@code requires_action}
 * @param maxSteps          the most model steps it may take
 * @param maxPoints         the most it may cost in all, or null for no cap of its own
 * @param parkedAt          while it waits for its owner ({@code requires_approval},
 *                          {@code requires_action}): since when
 * @param pendingCalls      while it waits: the calls it waits on, each answered or not yet (answer
 *                          them with POST …/approvals or …/tool-outputs); null otherwise
 */
public record RunView(
        UUID taskId,
        UUID sessionId,
        @Nullable UUID llmId,
        RunStatus status,
        @Nullable String output,
        @Nullable String error,
        int attempts,
        Instant createdAt,
        @Nullable Instant startedAt,
        @Nullable Instant finishedAt,
        @Nullable Integer inputTokens,
        @Nullable Integer outputTokens,
        @Nullable Long costPoints,
        @Nullable Long chargedPoints,
        boolean chargeCapped,
        boolean usageEstimated,
        @Nullable Instant cancelRequestedAt,
        @Nullable String stopReason,
        @Nullable Integer maxSteps,
        @Nullable Long maxPoints,
        @Nullable Instant parkedAt,
        @Nullable List<PendingCall> pendingCalls) {
    static RunView of(AgentRun run) {
        boolean finished = run.getStatus().finished();
        boolean parked = run.getStatus().parked();
        return new RunView(
                run.getId(),
                run.getSessionId(),
                run.getLlmId(),
                run.getStatus(),
                finished ? run.getOutput() : null,
                finished ? run.getError() : null,
                run.getAttempts(),
                run.getCreatedAt(),
                run.getStartedAt(),
                run.getFinishedAt(),
                run.getInputTokens(),
                run.getOutputTokens(),
                run.getCostPoints(),
                run.getChargedPoints(),
                run.isChargeCapped(),
                run.isUsageEstimated(),
                run.getCancelRequestedAt(),
                // A parked run has stopped for now: why, as Letta's stop_reason says it.
                finished ? run.getStopReason() : parked ? run.getStatus().wireName() : null,
                run.getMaxSteps(),
                run.getMaxPoints(),
                parked ? run.getParkedAt() : null,
                parked ? PendingCalls.parse(run.getPendingCalls()).all() : null);
    }

    /**
     * True once the run has succeeded, failed or been cancelled: nothing about it changes again.
     * (The API asks this, not {@link #status()}'s constants: the layers keep it off the models.)
     */
    public boolean finished() {
        return status.finished();
    }

    /** Its status's wire name ({@code "queued"}, ...), for the layers that keep off the models. */
    public String statusName() {
        return status.wireName();
    }

    /** Whether {@code name} is a run status's wire name (an event id that names one, say). */
    public static boolean isStatusName(String name) {
        for (RunStatus status : RunStatus.values()) {
            if (status.wireName().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** True while a worker holds the run. */
    public boolean running() {
        return status == RunStatus.RUNNING;
    }
}
