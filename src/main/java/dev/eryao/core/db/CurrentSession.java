package dev.eryao.core.db;

/**
 * What a repository is given instead of a transaction: the unit of work running on this thread,
 * seen through {@link RepositorySession}, which has no way to begin, commit, roll back or close
 * the transaction. A repository can only read, write and flush; the service that opened the unit
 * of work decides.
 */
@FunctionalInterface
public interface CurrentSession {
    /** @throws IllegalStateException when no service transaction runs on this thread */
    RepositorySession session();
}
