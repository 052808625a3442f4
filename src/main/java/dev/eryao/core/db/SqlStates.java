package dev.eryao.core.db;

import java.util.Set;

/**
 * The PostgreSQL SQLSTATEs the application tells apart, by PostgreSQL's own names (Appendix A,
 * "PostgreSQL Error Codes"), kept here so that each code is written once. Find one in an
 * exception with {@link dev.eryao.core.Causes#sqlState} or {@link dev.eryao.core.Causes#hasSqlState}.
 */
public final class SqlStates {
    /** Class 08, connection exception: every code starting so means the connection failed or was refused. */
    public static final String CONNECTION_EXCEPTION_CLASS = "08";
    /** A number does not fit its type: a balance past bigint's largest value. */
    public static final String NUMERIC_VALUE_OUT_OF_RANGE = "22003";

    public static final String UNIQUE_VIOLATION = "23505";
    /** The role's or the server's connection limit is reached. */
    public static final String TOO_MANY_CONNECTIONS = "53300";
    /** A lock wait cut short by {@code lock_timeout}. */
    public static final String LOCK_NOT_AVAILABLE = "55P03";
    /** A statement cut short by {@code statement_timeout} (or a cancel request). */
    public static final String QUERY_CANCELED = "57014";

    public static final String ADMIN_SHUTDOWN = "57P01";
    public static final String CRASH_SHUTDOWN = "57P02";
    /** The server is starting up or shutting down. */
    public static final String CANNOT_CONNECT_NOW = "57P03";
    /** The server is going away: shut down by an administrator, after a crash, or not accepting connections yet. */
    public static final Set<String> SHUTDOWN = Set.of(ADMIN_SHUTDOWN, CRASH_SHUTDOWN, CANNOT_CONNECT_NOW);

    private SqlStates() {}
}
