package dev.eryao.services;

import dev.eryao.repositories.CheckIn;

/**
 * What a worker learns when it reports on the attempt it performs: whether the claim is still its
 * own, and whether the run is to stop (its owner cancelled it, or deleted its session).
 */
public record AttemptCheck(boolean claimHeld, boolean stopRequested) {
    static AttemptCheck of(CheckIn checkIn) {
        return new AttemptCheck(checkIn.claimHeld(), checkIn.stopRequested());
    }
}
