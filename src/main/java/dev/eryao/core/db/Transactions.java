package dev.eryao.core.db;

import java.util.function.Function;
import java.util.function.Supplier;
import org.hibernate.FlushMode;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.Transaction;

/**
 * Units of work, owned by services (the seed's {@code async with session.begin()}): one call opens
 * a session and a transaction, runs the work, commits when it returns and rolls back when it
 * throws. A unit of work started while another runs on the same thread joins it; if the inner one
 * throws, the whole transaction is marked rollback-only, so catching the error outside cannot
 * commit half of it.
 *
 * <p>A unit that only reads can say so ({@link #read}): it runs without a transaction, which
 * saves the {@code BEGIN}/{@code COMMIT} round trip of a one-query request.
 *
 * <p>A unit that is one writing statement can say so too ({@link #oneStatement}): PostgreSQL runs
 * a statement sent in autocommit as a transaction of its own, so it is as atomic as in
 * {@code BEGIN … COMMIT} and costs one round trip instead of two (the statement, then the commit).
 *
 * <p>Repositories reach the running unit's session through {@link CurrentSession}; it is bound to
 * the thread (a virtual thread per request), so work must not hand it to other threads.
 */
public final class Transactions implements CurrentSession {
    private final SessionFactory sessionFactory;
    private final String perTransactionSql;
    private final ThreadLocal<UnitOfWork> current = new ThreadLocal<>();

    public Transactions(SessionFactory sessionFactory) {
        this(sessionFactory, null);
    }

    /**
     * @param perTransactionSql run first in every transaction (behind a transaction pooler: the
     *                          timeouts as {@code SET LOCAL}, see {@link Database#perTransactionSql()}),
     *                          or null
     */
    public Transactions(SessionFactory sessionFactory, String perTransactionSql) {
        this.sessionFactory = sessionFactory;
        this.perTransactionSql = perTransactionSql;
    }

    /** Runs {@code work} in a transaction and returns its result. */
    public <R> R fromTransaction(Supplier<R> work) {
        UnitOfWork outer = current.get();
        return outer != null ? outer.join(work) : runNew(work, RepositorySession::of);
    }

    /**
     * Runs {@code work}, which only reads, without a transaction: each statement commits on its own
     * (autocommit), so a one-query request costs one round trip instead of two. What the reads see
     * is the same as in a transaction at PostgreSQL's default READ COMMITTED level, where each
     * statement takes its own snapshot anyway. Every way to write is refused inside it (the work
     * would no longer be atomic); inside another unit of work it joins that unit's transaction.
     */
    public <R> R read(Supplier<R> work) {
        UnitOfWork outer = current.get();
        return outer != null ? outer.join(work) : runReadOnly(work);
    }

    /**
     * Runs {@code work}, which is one native statement and nothing else, as a transaction of its
     * own without {@code BEGIN} and {@code COMMIT}: the statement commits as it ends (autocommit),
     * one round trip where a transaction takes two. Anything else the work asks of its session (a
     * find, a selection, a second statement) is refused, since it would not be atomic with the
     * statement. Behind a transaction pooler, where every transaction first sets its timeouts
     * ({@code SET LOCAL}), it runs in a transaction like {@link #fromTransaction}, so those timeouts
     * still bound it; inside another unit of work it joins that unit's transaction.
     */
    public <R> R oneStatement(Supplier<R> work) {
        UnitOfWork outer = current.get();
        if (outer != null) {
            return outer.join(work);
        }
        return perTransactionSql != null
                ? runNew(work, RepositorySession::oneStatement)
                : runAutocommit(work, RepositorySession::oneStatement);
    }

    /** Runs {@code work} in a transaction. */
    public void inTransaction(Runnable work) {
        fromTransaction(() -> {
            work.run();
            return null;
        });
    }

    /** The running unit of work as repositories see it; services get no more than they do. */
    @Override
    public RepositorySession session() {
        UnitOfWork unit = current.get();
        if (unit == null) {
            throw new IllegalStateException(
                    "no transaction on this thread: repositories run inside a service's unit of work");
        }
        return unit.repositoryView;
    }

    private <R> R runNew(Supplier<R> work, Function<Session, RepositorySession> view) {
        try (Session session = sessionFactory.openSession()) {
            Transaction transaction = session.beginTransaction();
            if (perTransactionSql != null) {
                applyPerTransactionSql(session, transaction);
            }
            current.set(new UnitOfWork(transaction, view.apply(session)));
            try {
                R result = work.get();
                if (transaction.getRollbackOnly()) {
                    throw new IllegalStateException(
                            "an inner unit of work failed, so this transaction was rolled back");
                }
                transaction.commit();
                return result;
            } catch (RuntimeException | Error e) {
                rollbackQuietly(transaction, e);
                throw e;
            } finally {
                current.remove();
            }
        }
    }

    private <R> R runReadOnly(Supplier<R> work) {
        return runAutocommit(work, session -> {
            session.setDefaultReadOnly(true);
            return RepositorySession.readOnly(session);
        });
    }

    private <R> R runAutocommit(Supplier<R> work, Function<Session, RepositorySession> view) {
        try (Session session = sessionFactory.openSession()) {
            session.setHibernateFlushMode(FlushMode.MANUAL);
            // The pool hands out connections with autocommit off (Hibernate's transactions need no
            // setAutoCommit call then); this unit turns it on for its connection, held until the
            // session closes, and the pool turns it off again when the connection comes back.
            session.doWork(connection -> connection.setAutoCommit(true));
            current.set(new UnitOfWork(null, view.apply(session)));
            try {
                return work.get();
            } finally {
                current.remove();
            }
        }
    }

    private void applyPerTransactionSql(Session session, Transaction transaction) {
        try {
            session.doWork(connection -> {
                try (var statement = connection.createStatement()) {
                    statement.execute(perTransactionSql);
                }
            });
        } catch (RuntimeException e) {
            rollbackQuietly(transaction, e);
            throw e;
        }
    }

    private static void rollbackQuietly(Transaction transaction, Throwable cause) {
        try {
            if (transaction.isActive()) {
                transaction.rollback();
            }
        } catch (RuntimeException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }

    /** @param transaction the unit's transaction, or null for a unit in autocommit */
    private record UnitOfWork(Transaction transaction, RepositorySession repositoryView) {
        <R> R join(Supplier<R> work) {
            try {
                return work.get();
            } catch (RuntimeException | Error e) {
                if (transaction != null) {
                    transaction.markRollbackOnly();
                }
                throw e;
            }
        }
    }
}
