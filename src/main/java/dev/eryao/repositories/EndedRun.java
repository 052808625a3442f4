package dev.eryao.repositories;

import dev.eryao.models.RunStatus;
import java.util.UUID;

/**
 * A run as a statement that may end it left it: its status now, what it holds of its owner's
 * points, and what its recorded steps were charged ({@code agent_run_step.points_charged}, over
 * every attempt). A run that ended owes its steps — they were used, whoever ended it — and gives
 * the rest of its hold back ({@link HoldRepository#end}).
 */
public record EndedRun(UUID runId, UUID ownerId, long heldPoints, long stepsPoints, RunStatus status) {
    /** What this run, having ended, is charged: its steps, never more than it held. */
    public long owed() {
        return status.finished() ? Math.min(stepsPoints, heldPoints) : 0;
    }

    /** Whether this run still holds points that, having ended, it must give back. */
    public boolean holdsToRelease() {
        return status.finished() && heldPoints > 0;
    }
}
