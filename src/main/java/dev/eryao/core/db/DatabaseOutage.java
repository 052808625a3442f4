package dev.eryao.core.db;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/**
 * Tells a database outage (the server down, restarting, or unreachable) from every other failure,
 * so callers can answer "try again shortly" (HTTP 503) instead of reporting a bug (500). An outage
 * is anywhere in the cause chain: the pool giving up waiting for a connection (HikariCP's
 * {@link SQLTransientConnectionException} after the connect timeout), or PostgreSQL's connection
 * errors (SQLSTATE class 08) and shutdown errors (57P01 admin shutdown, 57P02 crash shutdown, 57P03
 * cannot connect now).
 */
public final class DatabaseOutage {
    private static final Set<String> SHUTDOWN_STATES = Set.of("57P01", "57P02", "57P03");
    private static final int MAX_DEPTH = 20;

    private DatabaseOutage() {
    }

    public static boolean causedBy(Throwable error) {
        Throwable cause = error;
        for (int depth = 0; cause != null && depth < MAX_DEPTH; depth++, cause = cause.getCause()) {
            if (cause instanceof DatabaseUnavailableException || cause instanceof SQLTransientConnectionException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || SHUTDOWN_STATES.contains(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
