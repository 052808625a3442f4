package dev.eryao.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.ToolsSettings;
import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import dev.eryao.support.ScratchDatabase;
import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The data tools are read-only at three levels, and each is tested with the other two out of the
 * way, so that removing any one of them fails a test here: the reader role's own default
 * ({@code default_transaction_read_only}), the tools beginning every transaction {@code READ ONLY}
 * themselves, and the role's privileges (SELECT and nothing else, not even in a read-write
 * transaction). Also the guard that refuses a reader the database does not bound.
 */
class ReadOnlyLevelsTest {
    private static final ScratchDatabase scratch = ScratchDatabase.get();
    private static final ToolsSettings TOOLS = scratch.settings().tools();
    /**
     * A database of its own, where the reader's settings are changed for this database only. Reached
     * straight, never through a pooler: a pooler's open server connections would keep the settings
     * they logged in with.
     */
    private static Database fresh;

    private static synchronized Database fresh() {
        if (fresh == null) {
            fresh = TestDatabase.get().freshDatabase();
            new Migrations(fresh, line -> {}).migrate();
        }
        return fresh;
    }

    @AfterAll
    static void closeFresh() {
        if (fresh != null) {
            fresh.close();
        }
    }

    private static SqlExecutor tool(Database database) {
        return new SqlExecutor(ReadOnlyAccess.of(database, TOOLS), 10, ToolsSettings.DEFAULT_MAX_BYTES);
    }

    private static Connection reader(Database database) throws SQLException {
        Connection connection = database.unpooledDataSource(TOOLS.readerUser(), TOOLS.readerPassword())
                .getConnection();
        connection.setAutoCommit(true);
        return connection;
    }

    private static String one(Connection connection, String query) throws SQLException {
        try (Statement sql = connection.createStatement();
                ResultSet row = sql.executeQuery(query)) {
            row.next();
            return row.getString(1);
        }
    }

    /** As the superuser, in the fresh database. */
    private static void admin(String statement) throws SQLException {
        try (Connection connection = fresh().dataSource().getConnection();
                Statement sql = connection.createStatement()) {
            connection.setAutoCommit(true);
            sql.execute(statement);
        }
    }

    @Test
    void levelOneTheRolesOwnDefaultMakesEveryTransactionItStartsReadOnly() throws SQLException {
        // No tool in between: a plain login as the reader, auto-commit on, nothing asked for.
        try (Connection reader = reader(scratch.database())) {
            assertThat(one(reader, "SHOW default_transaction_read_only")).isEqualTo("on");
            assertThat(one(reader, "SHOW transaction_read_only")).isEqualTo("on");
        }
    }

    @Test
    void levelTwoTheToolBeginsReadOnlyEvenWhereTheRolesDefaultIsOff() throws SQLException {
        Database database = fresh();
        admin("ALTER ROLE eryao_reader IN DATABASE " + database.settings().name()
                + " SET default_transaction_read_only = off");
        try {
            try (Connection reader = reader(database)) {
                assertThat(one(reader, "SHOW transaction_read_only"))
                        .as("the role's default really is off here")
                        .isEqualTo("off");
            }

            assertThat(tool(database).execute("SHOW transaction_read_only").rows())
                    .containsExactly(List.of("on"));
            assertThatThrownBy(() -> tool(database).execute("SELECT lo_create(0)"))
                    .hasMessageContaining("cannot execute lo_create() in a read-only transaction");
        } finally {
            admin("ALTER ROLE eryao_reader IN DATABASE " + database.settings().name()
                    + " RESET default_transaction_read_only");
        }
    }

    @Test
    void levelThreeTheRoleMayNotWriteEvenInAReadWriteTransaction() throws SQLException {
        String before = scratch.fingerprint();
        List<String> writes = List.of(
                "INSERT INTO probe (note) VALUES ('x')",
                "UPDATE probe SET note = 'x'",
                "DELETE FROM probe",
                "TRUNCATE probe",
                "SELECT nextval('probe_seq')",
                "SELECT setval('probe_seq', 9)",
                "SELECT pg_logical_emit_message(false, 'eryao', 'x')",
                "SELECT pg_advisory_lock(42)",
                "SELECT txid_current()",
                "CREATE TABLE intruder (id int)");
        try (Connection reader = reader(scratch.database())) {
            reader.setAutoCommit(false);
            for (String write : writes) {
                try (Statement sql = reader.createStatement()) {
                    sql.execute("SET TRANSACTION READ WRITE");
                    assertThat(one(reader, "SHOW transaction_read_only")).isEqualTo("off");
                    assertThatThrownBy(() -> sql.execute(write)).as(write).hasMessageContaining("permission denied");
                } finally {
                    reader.rollback();
                }
            }
        }
        assertThat(scratch.fingerprint()).isEqualTo(before);
    }

    /** One function from each revision that takes them from PUBLIC (20261125_0002, 20261201_0001). */
    @ParameterizedTest(name = "a reader that may call {0} is refused")
    @ValueSource(strings = {"pg_advisory_lock(bigint)", "txid_current()", "pg_current_xact_id()"})
    void aReaderThatMayStillCallWhatARollbackDoesNotUndoIsRefusedBeforeAnyQueryRuns(String function)
            throws SQLException {
        // What a migration run by a role that does not own pg_catalog's functions leaves behind.
        admin("GRANT EXECUTE ON FUNCTION pg_catalog." + function + " TO PUBLIC");
        try {
            assertThatThrownBy(() -> tool(fresh()).execute("SELECT 1"))
                    .isInstanceOf(ToolException.class)
                    .hasMessageStartingWith("refusing to run as eryao_reader: it may call "
                            + function.substring(0, function.indexOf('(')) + ", which write, hold or use up what a"
                            + " rollback does not undo (WAL, locks, transaction ids); a superuser must revoke them");
        } finally {
            admin("REVOKE EXECUTE ON FUNCTION pg_catalog." + function + " FROM PUBLIC");
        }
        assertThat(tool(fresh()).execute("SELECT 1 AS one").rows()).containsExactly(List.of(1L));
    }

    @Test
    void aReaderWithoutATempFileLimitIsRefusedBeforeAnyQueryRuns() throws SQLException {
        Database database = fresh();
        admin("ALTER ROLE eryao_reader IN DATABASE " + database.settings().name() + " SET temp_file_limit = -1");
        try {
            assertThatThrownBy(() -> tool(database).execute("SELECT 1"))
                    .isInstanceOf(ToolException.class)
                    .hasMessageStartingWith("refusing to run as eryao_reader: it has no temp_file_limit")
                    .hasMessageContaining("ALTER ROLE eryao_reader IN DATABASE "
                            + database.settings().name() + " SET temp_file_limit = '256MB'");
        } finally {
            // Back to what revision 20261125_0002 set in this database.
            admin("ALTER ROLE eryao_reader IN DATABASE " + database.settings().name()
                    + " SET temp_file_limit = '256MB'");
        }
    }
}
