package dev.eryao.core.db;

import org.hibernate.Session;

/**
 * What a repository is given instead of a transaction: the session of the unit of work running on
 * this thread. That session cannot begin, commit, roll back or close the transaction, so a
 * repository can only read, write and flush; the service that opened the unit of work decides.
 */
@FunctionalInterface
public interface CurrentSession {
    /** @throws IllegalStateException when no service transaction runs on this thread */
    Session session();
}
