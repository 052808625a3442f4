package dev.eryao.services;

import dev.eryao.repositories.PointsAccount;
import java.util.UUID;

/**
 * An owner's points as services return them: the balance (the ledger's sum), what the owner's
 * queued and running runs hold of it, and what is left for new runs.
 */
public record PointsAccountView(UUID ownerId, long balance, long held, long available) {
    static PointsAccountView of(UUID ownerId, PointsAccount account) {
        return new PointsAccountView(ownerId, account.balance(), account.held(), account.available());
    }
}
