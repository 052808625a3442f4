package dev.eryao.repositories;

import dev.eryao.models.RunStatus;
import java.util.UUID;

/**
 * A run as a statement that may end it left it: its status now, and what it holds of its owner's
 * points — to be released ({@link HoldRepository#release}) when the status is a finished one.
 */
public record EndedRun(UUID runId, UUID ownerId, long heldPoints, RunStatus status) {
    /** Whether this run still holds points that, having ended, it must give back. */
    public boolean holdsToRelease() {
        return status.finished() && heldPoints > 0;
    }
}
