package dev.eryao.tools;

import dev.eryao.core.config.ToolsSettings;
import dev.eryao.core.db.Database;
import dev.eryao.core.db.SqlStates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.postgresql.ds.common.BaseDataSource;

/**
 * The only way the data-viewing tools reach the database, and the reason they cannot change it.
 * Every call gets a connection of its own that logs in as the reader role (revision
 * {@code 20261124_0002}), runs inside one {@code READ ONLY} transaction, is always rolled back and
 * then closed. Read-only is the database's rule at three independent levels:
 * <ol>
 *   <li>the login role holds SELECT and nothing else, is no superuser and a member of no role, so
 *       {@code SET ROLE}, {@code set_config('role', …)} and {@code SET SESSION AUTHORIZATION} have
 *       nowhere to go (a superuser login under {@code SET LOCAL ROLE} could undo the role switch
 *       inside a {@code DO} block and then, say, {@code COPY … TO PROGRAM});</li>
 *   <li>the transaction is {@code READ ONLY}, and the guard query below takes its snapshot before
 *       any user statement runs, after which PostgreSQL refuses to make it read-write;</li>
 *   <li>nothing outlives the call: session settings a query changes ({@code set_config(…, false)},
 *       {@code SET SESSION CHARACTERISTICS}) die with the connection, never reaching a pool.</li>
 * </ol>
 * The guard also checks the login really is such a role, so a misconfigured
 * {@code ERYAO_TOOLS__READER_USER} (say, {@code postgres}) is refused rather than trusted.
 *
 * <p>A rollback does not undo everything: a few functions every role may call by default write WAL
 * or take locks that outlive the transaction ({@link #OUTSIDE_THE_TRANSACTION}), or give the
 * read-only transaction a transaction id that is used up for good ({@link #ASSIGN_A_TRANSACTION_ID}).
 * Revisions {@code 20261125_0002} and {@code 20261201_0001} revoke them from PUBLIC, which only their
 * owner (a superuser) can do, and the first gives the reader a {@code temp_file_limit}, which only a
 * superuser can set. Where the migrations ran without those rights the guard finds the functions
 * still callable, or no temp-file bound, and refuses to run at all: nothing in a SQL statement can
 * reach past a check made before it is sent.
 */
public final class ReadOnlyAccess {
    /** Work done inside the read-only transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Functions PUBLIC may call by default whose effect a rollback does not undo: WAL messages
     * (transactional or not, the record stays in the WAL and replication slots keep it) and
     * session-level advisory locks (they outlive the transaction, and behind a transaction pooler
     * even the connection). Revision 20261125_0002 revokes them from PUBLIC; transaction-level
     * advisory locks stay allowed, as they end with the transaction like the lock any SELECT takes.
     */
    public static final List<String> OUTSIDE_THE_TRANSACTION = List.of(
            "pg_logical_emit_message",
            "pg_advisory_lock",
            "pg_advisory_lock_shared",
            "pg_try_advisory_lock",
            "pg_try_advisory_lock_shared");

    /**
     * Functions PUBLIC may call by default that assign the calling transaction an id, even a
     * {@code READ ONLY} one; the rollback does not give it back, so each call uses one up (and
     * brings wraparound nearer). Revision 20261201_0001 revokes them from PUBLIC. Their
     * {@code _if_assigned} forms stay allowed: they report an id without assigning one.
     */
    public static final List<String> ASSIGN_A_TRANSACTION_ID = List.of("pg_current_xact_id", "txid_current");

    /** What the guard requires the reader not to be able to call. */
    static final List<String> REFUSED_FUNCTIONS = Stream.of(OUTSIDE_THE_TRANSACTION, ASSIGN_A_TRANSACTION_ID)
            .flatMap(List::stream)
            .toList();

    /** The reader's setting in each database from revision 20261125_0002: sorts and hashes that spill stop there. */
    public static final String TEMP_FILE_LIMIT = "256MB";
    /** Set for every tool transaction (and on the role): how much memory one sort or hash may use before it spills. */
    static final String WORK_MEM = "16MB";

    // Selecting takes the transaction's snapshot: from here on it can never become read-write.
    private static final String GUARD = """
            SELECT current_setting('transaction_read_only') = 'on' AS read_only,
                   r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication AS privileged,
                   EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid) AS member_of_roles,
                   (SELECT string_agg(DISTINCT p.proname, ', ' ORDER BY p.proname) FROM pg_proc p
                    WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname = ANY (%s)
                      AND has_function_privilege(r.oid, p.oid, 'EXECUTE')) AS callable,
                   current_setting('temp_file_limit') AS temp_file_limit, session_user AS role_name,
                   current_database() AS database_name,
                   set_config('statement_timeout', ?, true),
                   set_config('lock_timeout', ?, true),
                   set_config('idle_in_transaction_session_timeout', ?, true),
                   set_config('work_mem', '%s', true),
                   set_config('TimeZone', 'UTC', true)
            FROM pg_roles r WHERE r.rolname = session_user""".formatted(
            REFUSED_FUNCTIONS.stream().map(name -> "'" + name + "'").collect(Collectors.joining(", ", "ARRAY[", "]")),
            WORK_MEM);

    private final DataSource readers;
    private final String readerUser;
    private final int statementTimeoutMs;

    public ReadOnlyAccess(DataSource readers, String readerUser, int statementTimeoutMs) {
        this.readers = readers;
        this.readerUser = readerUser;
        this.statementTimeoutMs = statementTimeoutMs;
    }

    public static ReadOnlyAccess of(Database database, ToolsSettings tools) {
        DataSource readers = database.unpooledDataSource(tools.readerUser(), tools.readerPassword());
        if (readers instanceof BaseDataSource driver) {
            // The driver reads every row whole. With these it refuses a batch of rows (or one row)
            // larger than the byte bound before allocating it, and sizes its batches from the
            // widest row seen, so a single huge value never reaches the heap.
            driver.setMaxResultBuffer(String.valueOf(tools.maxBytes()));
            driver.setAdaptiveFetch(true);
        }
        return new ReadOnlyAccess(
                readers,
                tools.readerUser(),
                Math.toIntExact(tools.statementTimeout().toMillis()));
    }

    /**
     * Runs {@code work} in a fresh read-only transaction and rolls it back.
     *
     * @throws ToolException with the database's message when it refuses anything
     */
    public <T> T run(Work<T> work) {
        try (Connection connection = connect()) {
            connection.setAutoCommit(false);
            try {
                begin(connection);
                return work.run(connection);
            } finally {
                rollback(connection);
            }
        } catch (SQLException e) {
            throw ToolException.fromDatabase(e);
        }
    }

    /** A client-side backstop: the driver cancels a statement the server's timeout somehow missed. */
    void bound(Statement statement) throws SQLException {
        statement.setQueryTimeout(statementTimeoutMs / 1000 + 2);
    }

    int statementTimeoutMs() {
        return statementTimeoutMs;
    }

    private Connection connect() {
        try {
            return readers.getConnection();
        } catch (SQLException e) {
            if (busy(e)) {
                throw new ToolException(
                        "the data tools are busy: every connection " + readerUser
                                + " may open is in use (its CONNECTION LIMIT); try again in a moment",
                        e);
            }
            throw new ToolException(
                    "cannot log in as " + readerUser + ": " + ToolException.databaseMessage(e)
                            + "; the role comes with revision 20261124_0002 (bin/eryao migrate), and on a server that"
                            + " checks passwords it needs one (ALTER ROLE ... PASSWORD, then ERYAO_TOOLS__READER_PASSWORD)",
                    e);
        }
    }

    /** PostgreSQL's too_many_connections (the role's limit, or the server's), as itself or through a pooler. */
    private static boolean busy(SQLException e) {
        String message = String.valueOf(e.getMessage());
        return SqlStates.TOO_MANY_CONNECTIONS.equals(e.getSQLState())
                || message.contains("too many connections for role");
    }

    /**
     * Undoes whatever the work did. A failure here must not hide the work's own error, and needs no
     * handling: closing the connection, which follows at once, ends the transaction on the server.
     */
    private static void rollback(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is closed next
        }
    }

    private void begin(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            // The driver sends BEGIN first (auto-commit is off); one snapshot for all the work.
            statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        }
        String timeout = statementTimeoutMs + "ms";
        try (PreparedStatement guard = connection.prepareStatement(GUARD)) {
            guard.setString(1, timeout);
            guard.setString(2, timeout);
            guard.setString(3, timeout);
            try (ResultSet row = guard.executeQuery()) {
                if (!row.next()) {
                    throw new ToolException("refusing to run: the login " + readerUser + " is not a role");
                }
                if (!row.getBoolean("read_only")) {
                    throw new ToolException("refusing to run: the transaction is not read-only");
                }
                if (row.getBoolean("privileged") || row.getBoolean("member_of_roles")) {
                    throw new ToolException("refusing to run as " + readerUser + ": it is a superuser, can create"
                            + " roles or databases, or belongs to other roles; the tools need a role that can only"
                            + " read (ERYAO_TOOLS__READER_USER, default " + ToolsSettings.READER_ROLE + ")");
                }
                String callable = row.getString("callable");
                if (callable != null) {
                    throw new ToolException("refusing to run as " + readerUser + ": it may call " + callable
                            + ", which write, hold or use up what a rollback does not undo (WAL, locks, transaction"
                            + " ids); a superuser must revoke them (revisions 20261125_0002 and 20261201_0001 do"
                            + " when the migrations run as one: REVOKE EXECUTE ON FUNCTION ... FROM PUBLIC)");
                }
                if ("-1".equals(row.getString("temp_file_limit"))) {
                    throw new ToolException("refusing to run as " + readerUser + ": it has no temp_file_limit, so one"
                            + " query could fill the server's disk; a superuser must run ALTER ROLE "
                            + row.getString("role_name")
                            + " IN DATABASE " + row.getString("database_name") + " SET temp_file_limit = '"
                            + TEMP_FILE_LIMIT + "' (revision 20261125_0002 does when the"
                            + " migrations run as one)");
                }
            }
        }
    }
}
