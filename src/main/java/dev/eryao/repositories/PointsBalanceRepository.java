package dev.eryao.repositories;

import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.models.PointsBalance;
import java.util.Optional;
import java.util.UUID;

/**
 * Owners' balances (their holds are {@link HoldRepository}'s), changed only by single conditional statements: the row lock PostgreSQL takes
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
    // HQL rather than native SQL: Hibernate caches an HQL plan by its text, while a native query
    // with a result type was planned again (and its plan cached again) on every call.
    private static final String BALANCE = "select b.balance from PointsBalance b where b.ownerId = :owner";
    private static final String ACCOUNT = """
            select new dev.eryao.repositories.PointsAccount(b.balance, b.held) from PointsBalance b
            where b.ownerId = :owner""";

    public PointsBalanceRepository(CurrentSession sessions) {
        super(sessions, PointsBalance.class);
    }

    /** Adds {@code amount} (> 0) to the owner's balance, creating it at 0 first; the new balance. */
    public long credit(UUID ownerId, long amount) {
        return session()
                .createNativeQuery(CREDIT, Long.class)
                .addSynchronizedEntityClass(PointsBalance.class)
                .setParameter("owner", ownerId)
                .setParameter("amount", amount)
                .getSingleResult();
    }

    /** Takes {@code amount} (> 0) if the available points cover it; the new balance, or empty when they do not. */
    public Optional<Long> debitIfCovered(UUID ownerId, long amount) {
        return Optional.ofNullable(session()
                .createNativeQuery(DEBIT, Long.class)
                .addSynchronizedEntityClass(PointsBalance.class)
                .setParameter("owner", ownerId)
                .setParameter("amount", amount)
                .getSingleResultOrNull());
    }

    /** The owner's balance; 0 for an owner who never had points. */
    public long balanceOf(UUID ownerId) {
        Long balance = session()
                .createSelectionQuery(BALANCE, Long.class)
                .setParameter("owner", ownerId)
                .getSingleResultOrNull();
        return balance == null ? 0 : balance;
    }

    /** The owner's balance and held points; both 0 for an owner who never had points. */
    public PointsAccount accountOf(UUID ownerId) {
        PointsAccount account = session()
                .createSelectionQuery(ACCOUNT, PointsAccount.class)
                .setParameter("owner", ownerId)
                .getSingleResultOrNull();
        return account == null ? new PointsAccount(0, 0) : account;
    }
}
