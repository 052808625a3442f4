package dev.eryao.core.db;

import dev.eryao.core.Causes;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Tells a database outage (the server down, restarting, or unreachable) from every other failure,
 * so callers can answer "try again shortly" (HTTP 503) instead of reporting a bug (500). An outage
 * is anywhere in the cause chain: the pool giving up waiting for a connection (HikariCP's
 * {@link SQLTransientConnectionException} after the connect timeout), or PostgreSQL's connection
 * errors (SQLSTATE class 08) and shutdown errors (57P01 admin shutdown, 57P02 crash shutdown, 57P03
 * cannot connect now).
 */
public final class DatabaseOutage {
    private DatabaseOutage() {}

    public static boolean causedBy(Throwable error) {
        return Causes.any(
                error,
                cause -> cause instanceof DatabaseUnavailableException
                        || cause instanceof SQLTransientConnectionException
                        || cause instanceof SQLException sql
                                && sql.getSQLState() != null
                                && (sql.getSQLState().startsWith(SqlStates.CONNECTION_EXCEPTION_CLASS)
                                        || SqlStates.SHUTDOWN.contains(sql.getSQLState())));
    }
}
