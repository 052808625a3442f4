package dev.eryao.repositories;

import java.util.List;

/**
 * What a worker learns when it reports on the attempt it performs: whether the claim is still its
 * own, and whether the run is to stop (its owner cancelled it, or deleted its session).
 */
public record CheckIn(boolean claimHeld, boolean stopRequested) {
    static CheckIn of(List<Boolean> rows) {
        return rows.isEmpty() ? new CheckIn(false, false) : new CheckIn(true, Boolean.TRUE.equals(rows.getFirst()));
    }
}
