package dev.eryao.core.db;

import jakarta.persistence.FindOption;
import java.util.function.Function;
import org.hibernate.Session;
import org.hibernate.query.SelectionQuery;

/**
 * All a repository can do with the unit of work it runs in: find, persist, remove, flush, select
 * (HQL or criteria) and run native statements. The seed's rule "repositories do not manage
 * transactions" holds by construction: this type is ours, implements none of Hibernate's or JPA's
 * interfaces, and none of its methods (nor those of the {@link Select} and {@link NativeStatement}
 * it returns) leads to the real {@link Session}, its factory, its transaction or its connection.
 * Native SQL, the one door to arbitrary statements, is one statement and never transaction control
 * ({@link NativeSql}). Services get the same view from {@link Transactions#session()}.
 *
 * <p>In a read-only unit of work ({@link Transactions#read}) whatever can write is refused —
 * persist, remove, flush and native statements — since each statement would commit on its own;
 * finds and selections run. HQL given to {@link #createSelectionQuery(String, Class)} can only
 * select: Hibernate refuses an {@code update} or {@code delete} there.
 *
 * <p>In a one-statement unit of work ({@link Transactions#oneStatement}) the one native statement
 * is all it may do: it commits on its own, so anything before or after it (a find, a selection, a
 * second statement) would not be atomic with it, and is refused.
 */
public final class RepositorySession {
    private enum Unit {
        TRANSACTION,
        READ_ONLY,
        ONE_STATEMENT
    }

    private final Session session;
    private final Unit unit;
    private boolean statementGiven;

    private RepositorySession(Session session, Unit unit) {
        this.session = session;
        this.unit = unit;
    }

    /** The view of a unit of work with a transaction. */
    static RepositorySession of(Session session) {
        return new RepositorySession(session, Unit.TRANSACTION);
    }

    /** The view of a read-only unit of work: no writes. */
    static RepositorySession readOnly(Session session) {
        return new RepositorySession(session, Unit.READ_ONLY);
    }

    /** The view of a one-statement unit of work: one native statement and nothing else. */
    static RepositorySession oneStatement(Session session) {
        return new RepositorySession(session, Unit.ONE_STATEMENT);
    }

    /**
     * The entity with this id, or null. Pass at least one option (an empty array will do): the
     * two-argument form of Hibernate's {@code find} answers null when the JDBC call fails inside a
     * transaction marked rollback-only (HHH-12472), see {@link BaseRepository#getById}.
     */
    public <T> T find(Class<T> type, Object id, FindOption... options) {
        refuseInOneStatement("find");
        return session.find(type, id, options);
    }

    public void persist(Object entity) {
        refuseInOneStatement("persist");
        refuseInReadOnly("persist");
        session.persist(entity);
    }

    public void remove(Object entity) {
        refuseInOneStatement("remove");
        refuseInReadOnly("remove");
        session.remove(entity);
    }

    /** Sends pending changes now, so database constraints are checked here; does not commit. */
    public void flush() {
        refuseInOneStatement("flush");
        refuseInReadOnly("flush");
        session.flush();
    }

    /** An HQL selection; Hibernate refuses an HQL {@code update}, {@code delete} or {@code insert} here. */
    public <R> Select<R> createSelectionQuery(String hql, Class<R> resultType) {
        refuseInOneStatement("createSelectionQuery");
        return new Select<>(session.createSelectionQuery(hql, resultType));
    }

    /**
     * A native statement: one statement, never one that controls the transaction.
     *
     * @throws IllegalStateException for transaction control, in a read-only unit of work, or for a
     *                               second statement in a one-statement unit of work
     * @throws IllegalArgumentException for more than one statement, or an unterminated quote
     */
    public <R> NativeStatement<R> createNativeQuery(String sql, Class<R> resultType) {
        refuseInReadOnly("createNativeQuery");
        if (unit == Unit.ONE_STATEMENT) {
            if (statementGiven) {
                throw new IllegalStateException("this unit of work is one statement (Transactions.oneStatement):"
                        + " a second createNativeQuery() needs Transactions.fromTransaction");
            }
            statementGiven = true;
        }
        return new NativeStatement<>(
                session.createNativeQuery(NativeSql.check(sql), resultType), unit == Unit.ONE_STATEMENT);
    }

    /**
     * A criteria selection built on the real session, for {@link BaseRepository}'s own queries
     * only (package-private: the function is handed the session).
     */
    <R> Select<R> select(Function<Session, SelectionQuery<R>> build) {
        refuseInOneStatement("select");
        return new Select<>(build.apply(session));
    }

    private void refuseInOneStatement(String method) {
        if (unit == Unit.ONE_STATEMENT) {
            throw new IllegalStateException("this unit of work is one statement (Transactions.oneStatement): " + method
                    + "() needs Transactions.fromTransaction or Transactions.read");
        }
    }

    private void refuseInReadOnly(String method) {
        if (unit == Unit.READ_ONLY) {
            throw new IllegalStateException("this unit of work only reads (Transactions.read): " + method
                    + "() needs Transactions.fromTransaction");
        }
    }
}
