package dev.eryao.migrations;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The lock every schema change takes: Flyway's own PostgreSQL advisory lock (its magic number
 * plus the hash of the quoted history table name), so downgrade, stamp and offline scripts wait
 * for a running {@code migrate} and it waits for them.
 */
final class MigrationLock {
    private static final long FLYWAY_LOCK_MAGIC = 77431708279161L;
    static final long KEY = FLYWAY_LOCK_MAGIC + ("\"public\".\"" + Migrations.HISTORY_TABLE + "\"").hashCode();

    private MigrationLock() {
    }

    /** The statement that takes the lock until the transaction ends. */
    static String sql() {
        return "SELECT pg_advisory_xact_lock(" + KEY + ")";
    }

    /** Takes the lock for the rest of {@code connection}'s current transaction. */
    static void acquire(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql());
        }
    }
}
