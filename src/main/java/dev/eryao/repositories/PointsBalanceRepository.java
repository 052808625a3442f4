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
    private static final String DEBIT = """
            UPDATE points_balance SET balance = balance - :amount, updated_at = now()
            WHERE owner_id = :owner AND balance >= :amount
            RETURNING balance""";
    private static final String DEBIT_UP_TO = """
            WITH old AS (SELECT balance FROM points_balance WHERE owner_id = :owner FOR UPDATE)
            UPDATE points_balance p SET balance = p.balance - least(old.balance, :amount), updated_at = now()
            FROM old WHERE p.owner_id = :owner
            RETURNING least(old.balance, :amount), p.balance""";
    // HQL rather than native SQL: Hibernate caches an HQL plan by its text, while a native query
    // with a result type was planned again (and its plan cached again) on every call.
    private static final String BALANCE = "select b.balance from PointsBalance b where b.ownerId = :owner";

    /** What a capped debit took, and the balance after it. */
    public record Debit(long charged, long balanceAfter) {
        /** Nothing taken; the balance was not read. */
        public static final Debit NONE = new Debit(0, 0);
    }

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

    /** Takes {@code amount} (> 0) if the balance covers it; the new balance, or empty when it does not. */
    public Optional<Long> debitIfCovered(UUID ownerId, long amount) {
        return Optional.ofNullable(session().createNativeQuery(DEBIT, Long.class)
                .addSynchronizedEntityClass(PointsBalance.class)
                .setParameter("owner", ownerId)
                .setParameter("amount", amount)
                .getSingleResultOrNull());
    }

    /**
     * Takes {@code amount} (> 0), or the whole balance when it is smaller: for work already done,
     * which must be paid as far as the balance goes but can never overdraw it.
     */
    public Debit debitUpTo(UUID ownerId, long amount) {
        Object[] row = session().createNativeQuery(DEBIT_UP_TO, Object[].class)
                .addSynchronizedEntityClass(PointsBalance.class)
                .setParameter("owner", ownerId)
                .setParameter("amount", amount)
                .getSingleResultOrNull();
        return row == null ? Debit.NONE : new Debit(((Number) row[0]).longValue(), ((Number) row[1]).longValue());
    }

    /** The owner's balance; 0 for an owner who never had points. */
    public long balanceOf(UUID ownerId) {
        Long balance = session().createSelectionQuery(BALANCE, Long.class)
                .setParameter("owner", ownerId)
                .getSingleResultOrNull();
        return balance == null ? 0 : balance;
    }
}
