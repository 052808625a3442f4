package dev.eryao.repositories;

import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.models.PointsBalance;
import java.util.Optional;
import java.util.UUID;

/**
 * Owners' balances, changed only by single conditional statements: the row lock PostgreSQL takes
 * for the UPDATE serializes concurrent changes for one owner, and the {@code balance + amount >= 0}
 * condition is checked under that lock, so no interleaving can overdraw.
 */
public class PointsBalanceRepository extends BaseRepository<PointsBalance> {
    private static final String CREDIT = """
            INSERT INTO points_balance (id, owner_id, balance, created_at, updated_at)
            VALUES (gen_random_uuid(), :owner, :amount, now(), now())
            ON CONFLICT (owner_id) DO UPDATE
                SET balance = points_balance.balance + excluded.balance, updated_at = now()
            RETURNING balance""";
    // Debits take only what no run holds: balance - held >= amount.
    private static final String DEBIT = """
            UPDATE points_balance SET balance = balance - :amount, updated_at = now()
            WHERE owner_id = :owner AND balance - held >= :amount
            RETURNING balance""";
    private static final String HOLD = """
            UPDATE points_balance SET held = held + :amount, updated_at = now()
            WHERE owner_id = :owner AND balance - held >= :amount
            RETURNING held""";
    // A finished run pays its price from its own hold and never more: a provider that reports more
    // than the hold's bound allowed for (RunPrice) is charged at the hold, and the rest is recorded
    // on the run for the administrator, never taken from the owner's other points. The hold is
    // released in the same statement.
    private static final String SETTLE = """
            UPDATE points_balance SET balance = balance - least(:cost, :hold), held = held - :hold, updated_at = now()
            WHERE owner_id = :owner
            RETURNING least(:cost, :hold), balance""";
    // HQL rather than native SQL: Hibernate caches an HQL plan by its text, while a native query
    // with a result type was planned again (and its plan cached again) on every call.
    private static final String BALANCE = "select b.balance from PointsBalance b where b.ownerId = :owner";
    private static final String ACCOUNT = "select b.balance, b.held from PointsBalance b where b.ownerId = :owner";



    public PointsBalanceRepository(CurrentSession sessions) {
        super(sessions, PointsBalance.class);
    }

    /** Adds {@code amount} (> 0) to the owner's balance, creating it at 0 first; the new balance. */
    public long credit(UUID ownerId, long amount) {
        return session().createNativeQuery(CREDIT, Long.class)
                .addSynchronizedEntityClass(PointsBalance.class)
                .setParameter("owner", ownerId)
                .setParameter("amount", amount)
                .getSingleResult();
    }

    /** Takes {@code amount} (> 0) if the available points cover it; the new balance, or empty when they do not. */
    public Optional<Long> debitIfCovered(UUID ownerId, long amount) {
        return Optional.ofNullable(session().createNativeQuery(DEBIT, Long.class)
                .addSynchronizedEntityClass(PointsBalance.class)
                .setParameter("owner", ownerId)
                .setParameter("amount", amount)
                .getSingleResultOrNull());
    }

    /**
     * Holds {@code amount} (> 0) of the owner's available points for a run; false, changing
     * nothing, when fewer are available.
     */
    public boolean hold(UUID ownerId, long amount) {
        return session().createNativeQuery(HOLD, Long.class)
                .addSynchronizedEntityClass(PointsBalance.class)
                .setParameter("owner", ownerId)
                .setParameter("amount", amount)
                .getSingleResultOrNull() != null;
    }

    /**
     * Charges a finished run {@code cost}, at most its {@code hold}, and releases the hold; what was
     * charged and the balance after.
     */
    public Settlement settle(UUID ownerId, long cost, long hold) {
        Object[] row = session().createNativeQuery(SETTLE, Object[].class)
                .addSynchronizedEntityClass(PointsBalance.class)
                .setParameter("owner", ownerId)
                .setParameter("cost", cost)
                .setParameter("hold", hold)
                .getSingleResultOrNull();
        return row == null ? Settlement.NONE
                : new Settlement(((Number) row[0]).longValue(), ((Number) row[1]).longValue());
    }

    /** The owner's balance; 0 for an owner who never had points. */
    public long balanceOf(UUID ownerId) {
        Long balance = session().createSelectionQuery(BALANCE, Long.class)
                .setParameter("owner", ownerId)
                .getSingleResultOrNull();
        return balance == null ? 0 : balance;
    }

    /** The owner's balance and held points; both 0 for an owner who never had points. */
    public PointsAccount accountOf(UUID ownerId) {
        Object[] row = session().createSelectionQuery(ACCOUNT, Object[].class)
                .setParameter("owner", ownerId)
                .getSingleResultOrNull();
        return row == null ? new PointsAccount(0, 0) : new PointsAccount((Long) row[0], (Long) row[1]);
    }
}
