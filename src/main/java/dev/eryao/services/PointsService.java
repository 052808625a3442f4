package dev.eryao.services;

import dev.eryao.core.Causes;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Page;
import dev.eryao.core.db.PageRequest;
import dev.eryao.core.db.SqlStates;
import dev.eryao.core.db.Transactions;
import dev.eryao.models.PointsLedgerEntry;
import dev.eryao.repositories.PointsBalanceRepository;
import dev.eryao.repositories.PointsLedgerRepository;
import java.util.Optional;
import java.util.UUID;

/**
 * Points: every change is one balance statement and one ledger row in the same transaction, so the
 * ledger always sums to the balance. An idempotency key makes a retried change return the row the
 * first attempt wrote instead of applying it twice.
 */
public final class PointsService {
    public static final int REASON_MAX_LENGTH = 200;
    /** What an administrator's grant refers to: the service-role caller who made it. */
    public static final String ADMIN_GRANT = "admin_grant";

    static final String LEDGER_IDEMPOTENCY_INDEX = "ix_points_ledger_owner_id_idempotency_key";

    private final Transactions transactions;
    private final PointsBalanceRepository balances;
    private final PointsLedgerRepository ledger;

    public PointsService(Transactions transactions, PointsBalanceRepository balances, PointsLedgerRepository ledger) {
        this.transactions = transactions;
        this.balances = balances;
        this.ledger = ledger;
    }

    /** A change of points with its reason and what it refers to (e.g. {@code agent_run} and the run's id). */
    public record Change(
            UUID ownerId, long amount, String reason, String referenceType, UUID referenceId, String idempotencyKey) {}

    /** Adds points (amount > 0). */
    public LedgerEntryView grant(Change change) {
        checkAmount(change.amount());
        try {
            return apply(change);
        } catch (RuntimeException e) {
            if (Causes.hasSqlState(e, SqlStates.NUMERIC_VALUE_OUT_OF_RANGE)) {
                throw InvalidInputException.field(
                        "amount",
                        "would take the balance past the largest one a balance can" + " hold (" + Long.MAX_VALUE + ")");
            }
            throw e;
        }
    }

    private static void checkAmount(long amount) {
        if (amount <= 0) {
            throw InvalidInputException.field("amount", "must be a positive number of points");
        }
    }

    /**
     * Takes points (amount > 0) if the balance covers them.
     *
     * @throws InsufficientPointsException when it does not; nothing is written
     */
    public LedgerEntryView debit(Change change) {
        checkAmount(change.amount());
        return apply(new Change(
                change.ownerId(),
                -change.amount(),
                change.reason(),
                change.referenceType(),
                change.referenceId(),
                change.idempotencyKey()));
    }

    /**
     * A grant by a service-role caller, recorded with the caller's id as its reference. It needs an
     * idempotency key: an administrator retrying a grant whose answer was lost must not grant twice.
     */
    public LedgerEntryView grantByAdmin(
            CurrentUser admin, UUID ownerId, long amount, String reason, String idempotencyKey) {
        if (idempotencyKey == null) {
            throw InvalidInputException.field("Idempotency-Key", "is required: a grant must be safe to repeat");
        }
        if (ownerId == null) {
            throw InvalidInputException.field("owner_id", "is required");
        }
        return grant(new Change(ownerId, amount, reason, ADMIN_GRANT, admin.id(), idempotencyKey));
    }

    public long balance(UUID ownerId) {
        return transactions.read(() -> balances.balanceOf(ownerId));
    }

    /** The owner's balance, what open runs hold of it, and what is available. */
    public PointsAccountView account(UUID ownerId) {
        return transactions.read(() -> PointsAccountView.of(ownerId, balances.accountOf(ownerId)));
    }

    public Page<LedgerEntryView> ledger(UUID ownerId, PageRequest request) {
        return transactions.read(() -> ledger.pageOf(ownerId, request).map(LedgerEntryView::of));
    }

    private LedgerEntryView apply(Change change) {
        String reason = Validation.requiredText("reason", change.reason(), REASON_MAX_LENGTH);
        String key = Validation.idempotencyKey("Idempotency-Key", change.idempotencyKey());
        try {
            return applyOnce(change, reason, key);
        } catch (RuntimeException e) {
            if (key == null || !UniqueViolation.on(e, LEDGER_IDEMPOTENCY_INDEX)) {
                throw e;
            }
            // A concurrent change with the same key committed first: answer with its row.
            return transactions.fromTransaction(() -> LedgerEntryView.of(
                    sameChange(ledger.byIdempotencyKey(change.ownerId(), key).orElseThrow(() -> e), change, reason)));
        }
    }

    /** The earlier row of a key, if it records the same change; a key reused for another one is refused. */
    private static PointsLedgerEntry sameChange(PointsLedgerEntry earlier, Change change, String reason) {
        if (earlier.getAmount() != change.amount()) {
            throw Validation.keyReused("amount");
        }
        if (!earlier.getReason().equals(reason)) {
            throw Validation.keyReused("reason");
        }
        return earlier;
    }

    private LedgerEntryView applyOnce(Change change, String reason, String key) {
        return transactions.fromTransaction(() -> {
            Optional<PointsLedgerEntry> earlier =
                    key == null ? Optional.empty() : ledger.byIdempotencyKey(change.ownerId(), key);
            if (earlier.isPresent()) {
                return LedgerEntryView.of(sameChange(earlier.get(), change, reason));
            }
            long balanceAfter = change.amount() > 0
                    ? balances.credit(change.ownerId(), change.amount())
                    : balances.debitIfCovered(change.ownerId(), -change.amount())
                            .orElseThrow(() -> new InsufficientPointsException(
                                    balances.accountOf(change.ownerId()).available(), -change.amount()));
            PointsLedgerEntry entry = new PointsLedgerEntry(
                    change.ownerId(),
                    change.amount(),
                    balanceAfter,
                    reason,
                    change.referenceType(),
                    change.referenceId(),
                    key);
            return LedgerEntryView.of(ledger.add(entry));
        });
    }
}
