package dev.eryao.services;

import dev.eryao.models.PointsLedgerEntry;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One ledger row as services return it. */
public record LedgerEntryView(
        UUID id,
        UUID ownerId,
        long amount,
        long balanceAfter,
        String reason,
        @Nullable String referenceType,
        @Nullable UUID referenceId,
        Instant createdAt) {
    static LedgerEntryView of(PointsLedgerEntry entry) {
        return new LedgerEntryView(
                entry.getId(),
                entry.getOwnerId(),
                entry.getAmount(),
                entry.getBalanceAfter(),
                entry.getReason(),
                entry.getReferenceType(),
                entry.getReferenceId(),
                entry.getCreatedAt());
    }
}
