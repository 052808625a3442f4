package dev.eryao.migrations;

import dev.eryao.core.config.Durations;
import dev.eryao.core.db.SqlStates;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The lock every schema change takes: Flyway's own PostgreSQL advisory lock (its magic number
 * plus the hash of the quoted history table name), so downgrade, stamp and offline scripts wait
 * for a running {@code migrate} and it waits for them.
 */
final class MigrationLock {
    private static final long FLYWAY_LOCK_MAGIC = 77431708279161L;
    static final long KEY = FLYWAY_LOCK_MAGIC + ("\"public\".\"" + Migrations.HISTORY_TABLE + "\"").hashCode();

    private MigrationLock() {}

    /** The statement that takes the lock until the transaction ends. */
    static String sql() {
        return "SELECT pg_advisory_xact_lock(" + KEY + ")";
    }

    /**
     * Takes the lock for the rest of {@code connection}'s current transaction, waiting at most
     * {@code timeout} (zero: no limit) for a running schema change to finish. The wait is
     * bounded by {@code lock_timeout}, set for this transaction only, so it holds whatever the
     * session's settings are and whether or not a pooler dropped the start-up options.
     */
    static void acquire(Connection connection, Duration timeout) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET LOCAL lock_timeout = '" + timeout.toMillis() + "ms'");
            statement.execute(sql());
        } catch (SQLException e) {
            // Either limit may end the wait first: the statement timeout is the same length.
            if (SqlStates.LOCK_NOT_AVAILABLE.equals(e.getSQLState())
                    || SqlStates.QUERY_CANCELED.equals(e.getSQLState())) {
                throw new SQLException(
                        "another schema change (migrate, downgrade or stamp) held the migration lock"
                                + " for longer than ERYAO_DATABASE__MIGRATION_TIMEOUT_SECONDS ("
                                + Durations.seconds(timeout) + ")",
                        e.getSQLState(),
                        e);
            }
            throw e;
        }
    }
}
