package dev.eryao.core.db;

import java.util.List;
import org.hibernate.query.NativeQuery;

/**
 * A native SQL statement a repository runs — a query, an {@code UPDATE ... RETURNING}, or a
 * statement counted by {@link #executeUpdate}: Hibernate's {@link NativeQuery} reduced to binding
 * and running. The SQL has passed {@link NativeSql#check} (one statement, no transaction control),
 * and Hibernate's query object, whose {@code unwrap} leads back to the session, stays inside.
 * Method names are Hibernate's.
 *
 * @param <R> the type of a result row
 */
public final class NativeStatement<R> {
    private final NativeQuery<R> query;
    private final boolean resultOnly;

    /**
     * @param resultOnly the statement is a one-statement unit of work ({@link Transactions#oneStatement}):
     *                   its rows are read, never an update count, which Hibernate runs only in a
     *                   transaction
     */
    NativeStatement(NativeQuery<R> query, boolean resultOnly) {
        this.query = query;
        this.resultOnly = resultOnly;
    }

    /**
     * Names an entity the statement reads or writes: Hibernate flushes that entity's pending
     * changes before running it, and knows which cached state it may change.
     */
    public NativeStatement<R> addSynchronizedEntityClass(Class<?> entity) {
        query.addSynchronizedEntityClass(entity);
        return this;
    }

    public NativeStatement<R> setParameter(String name, Object value) {
        query.setParameter(name, value);
        return this;
    }

    /** Binds a value whose type cannot be inferred from itself, typically a null. */
    public <P> NativeStatement<R> setParameter(String name, P value, Class<P> type) {
        query.setParameter(name, value, type);
        return this;
    }

    public List<R> getResultList() {
        return query.getResultList();
    }

    /** @throws jakarta.persistence.NoResultException when there is no row */
    public R getSingleResult() {
        return query.getSingleResult();
    }

    /** The one row, or null when there is none. */
    public R getSingleResultOrNull() {
        return query.getSingleResultOrNull();
    }

    /** Runs a statement that returns no rows; the number of rows it changed. */
    public int executeUpdate() {
        if (resultOnly) {
            throw new IllegalStateException("a one-statement unit of work (Transactions.oneStatement) reads its"
                    + " statement's rows (a write with RETURNING); executeUpdate() needs Transactions.fromTransaction");
        }
        return query.executeUpdate();
    }
}
