package dev.eryao.services;

import java.util.Optional;

/**
 * What a worker learns when it reports on the attempt it performs: whether the claim is still its
 * own, and whether the run is to stop (its owner cancelled it, or deleted its session).
 */
public record AttemptCheck(boolean claimHeld, boolean stopRequested) {
    /** @param stop what the repository read: whether to stop, or empty when the claim was lost */
    static AttemptCheck of(Optional<Boolean> stop) {
        return new AttemptCheck(stop.isPresent(), stop.orElse(false));
    }
}
