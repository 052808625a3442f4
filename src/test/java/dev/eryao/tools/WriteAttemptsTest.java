package dev.eryao.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.ToolsSettings;
import dev.eryao.support.ScratchDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Every way we know to write through {@code execute_sql}, aimed at real rows in the scratch
 * database: each is refused, with the database's own message (bar the two-statement texts, which
 * never reach it), and afterwards nothing in the database differs. That includes what a rollback
 * does not undo: WAL messages, session-level advisory locks (revoked from PUBLIC by revision
 * 20261125_0002), transaction ids (txid_current and pg_current_xact_id, revoked by 20261201_0001),
 * large objects (refused by the read-only transaction) and notifications (never sent, as the
 * transaction never commits).
 */
class WriteAttemptsTest {
    private static final ScratchDatabase scratch = ScratchDatabase.get();
    private static final Path PWNED = Path.of(System.getProperty("java.io.tmpdir"), "eryao-copy-to-program-ran");

    private final ReadOnlyAccess access =
            ReadOnlyAccess.of(scratch.database(), scratch.settings().tools());
    private final SqlExecutor sql =
            new SqlExecutor(access, ToolsSettings.DEFAULT_MAX_ROWS, ToolsSettings.DEFAULT_MAX_BYTES);

    /** A large object made by the superuser, readable by the reader, for the attempts to change it. */
    private static long largeObject;

    @BeforeAll
    static void createALargeObject() throws SQLException {
        try (Connection admin = scratch.admin();
                Statement sql = admin.createStatement();
                ResultSet row = sql.executeQuery("SELECT lo_from_bytea(0, 'kept as it is')")) {
            row.next();
            largeObject = row.getLong(1);
            sql.execute("GRANT SELECT ON LARGE OBJECT " + largeObject + " TO eryao_reader");
        }
    }

    static Stream<Arguments> outsideTheTransaction() {
        String oid = String.valueOf(largeObject);
        return Stream.of(
                Arguments.of(
                        "SELECT pg_logical_emit_message(false, 'eryao', repeat('x', 1000000))",
                        "permission denied for function pg_logical_emit_message"),
                Arguments.of(
                        "SELECT pg_logical_emit_message(true, 'eryao', 'x')",
                        "permission denied for function pg_logical_emit_message"),
                Arguments.of(
                        "SELECT pg_logical_emit_message(false, 'eryao', 'x'::bytea, true)",
                        "permission denied for function pg_logical_emit_message"),
                Arguments.of(
                        "DO $$ BEGIN EXECUTE 'SELECT pg_logical_emit_message(false, ''eryao'', ''x'')'; END $$",
                        "permission denied for function pg_logical_emit_message"),
                Arguments.of(
                        "SELECT pg_advisory_lock(" + MigrationLockKey.VALUE + ")",
                        "permission denied for function pg_advisory_lock"),
                Arguments.of("SELECT pg_advisory_lock(1, 2)", "permission denied for function pg_advisory_lock"),
                Arguments.of(
                        "SELECT pg_advisory_lock_shared(42)", "permission denied for function pg_advisory_lock_shared"),
                Arguments.of("SELECT pg_try_advisory_lock(42)", "permission denied for function pg_try_advisory_lock"),
                Arguments.of(
                        "SELECT pg_try_advisory_lock_shared(1, 2)",
                        "permission denied for function pg_try_advisory_lock_shared"),
                Arguments.of(
                        "SELECT query_to_xml('SELECT pg_advisory_lock(42)', true, true, '')",
                        "permission denied for function pg_advisory_lock"),
                Arguments.of("SELECT txid_current()", "permission denied for function txid_current"),
                Arguments.of("SELECT pg_current_xact_id()", "permission denied for function pg_current_xact_id"),
                Arguments.of(
                        "DO $$ BEGIN PERFORM txid_current(); END $$", "permission denied for function txid_current"),
                Arguments.of(
                        "SELECT query_to_xml('SELECT pg_current_xact_id()', true, true, '')",
                        "permission denied for function pg_current_xact_id"),
                Arguments.of("SELECT lo_create(0)", "cannot execute lo_create() in a read-only transaction"),
                Arguments.of("SELECT lo_creat(-1)", "cannot execute lo_creat() in a read-only transaction"),
                Arguments.of(
                        "SELECT lo_from_bytea(0, 'x')", "cannot execute lo_from_bytea() in a read-only transaction"),
                Arguments.of("SELECT lo_import('/etc/hostname')", "permission denied for function lo_import"),
                Arguments.of(
                        "SELECT lo_put(" + oid + ", 0, 'x')", "cannot execute lo_put() in a read-only transaction"),
                Arguments.of("SELECT lo_unlink(" + oid + ")", "cannot execute lo_unlink() in a read-only transaction"),
                Arguments.of(
                        "SELECT lo_truncate(lo_open(" + oid + ", 131072), 0)",
                        "cannot execute lo_open(INV_WRITE) in a read-only transaction"),
                Arguments.of(
                        "SELECT lowrite(lo_open(" + oid + ", 262144), 'x')",
                        "cannot execute lowrite() in a read-only transaction"),
                Arguments.of("SELECT setval('probe_seq', 99)", "permission denied for sequence probe_seq"),
                Arguments.of("SELECT pg_switch_wal()", "permission denied for function pg_switch_wal"),
                Arguments.of(
                        "SELECT pg_create_restore_point('eryao')",
                        "permission denied for function pg_create_restore_point"),
                Arguments.of(
                        "SELECT pg_create_logical_replication_slot('eryao', 'pgoutput')",
                        "permission denied to use replication slots"));
    }

    @ParameterizedTest(name = "{0} is refused and nothing outside the transaction changes")
    @MethodSource("outsideTheTransaction")
    void whatARollbackWouldNotUndoIsRefused(String attempt, String refusal) throws SQLException {
        String before = scratch.fingerprint();
        long walBefore = walPosition();

        assertThatThrownBy(() -> sql.execute(attempt))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining(refusal);

        assertThat(scratch.fingerprint()).isEqualTo(before);
        assertThat(advisoryLocks()).as("no advisory lock outlived the call").isZero();
        assertThat(walPosition() - walBefore)
                .as("the WAL did not take the 1 MB message")
                .isLessThan(500_000);
        assertThat(largeObjectText()).isEqualTo("kept as it is");
    }

    /**
     * The refusal is the function's own privilege check, made before it runs: the tools' transaction
     * still has no transaction id afterwards (its {@code _if_assigned} form, which assigns none, says so).
     */
    @ParameterizedTest(name = "{0}() is refused and assigns the transaction no id")
    @ValueSource(strings = {"txid_current", "pg_current_xact_id"})
    void aFunctionThatWouldAssignATransactionIdIsRefusedAndAssignsNone(String function) {
        record Seen(String refusal, String transactionId) {}
        Seen seen = access.run(connection -> {
            Savepoint beforeAttempt = connection.setSavepoint();
            String refusal = "none";
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT " + function + "()");
            } catch (SQLException e) {
                refusal = e.getMessage();
            }
            // Back to before the failed statement, still inside the same top-level transaction.
            connection.rollback(beforeAttempt);
            try (Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery("SELECT pg_current_xact_id_if_assigned()::text")) {
                row.next();
                return new Seen(refusal, row.getString(1));
            }
        });

        assertThat(seen.refusal()).contains("permission denied for function " + function);
        assertThat(seen.transactionId())
                .as("the transaction's id, if it was given one")
                .isNull();
    }

    @Test
    void aTransactionLevelAdvisoryLockIsAllowedAndEndsWithTheTransaction() throws SQLException {
        // Like the lock any SELECT takes on its tables: held only until the rollback that ends every call.
        assertThat(sql.execute("SELECT pg_try_advisory_xact_lock(" + MigrationLockKey.VALUE + ") AS taken")
                        .rows())
                .containsExactly(List.of(true));
        assertThat(advisoryLocks()).isZero();
    }

    @Test
    void aNotificationIsNeverDeliveredBecauseTheTransactionNeverCommits() throws SQLException {
        try (Connection listener = scratch.admin();
                Statement listen = listener.createStatement()) {
            listen.execute("LISTEN eryao_probe");

            sql.execute("SELECT pg_notify('eryao_probe', 'from the reader')");
            sql.execute("NOTIFY eryao_probe, 'from the reader'");

            // A round trip delivers whatever was committed before it.
            listen.execute("SELECT 1");
            PGNotification[] received = listener.unwrap(PGConnection.class).getNotifications();
            assertThat(received == null ? List.of() : List.of(received)).isEmpty();
        }
    }

    private static long walPosition() throws SQLException {
        return adminLong("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn");
    }

    private static long advisoryLocks() throws SQLException {
        return adminLong("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
    }

    private static String largeObjectText() throws SQLException {
        try (Connection admin = scratch.admin();
                Statement sql = admin.createStatement();
                ResultSet row = sql.executeQuery("SELECT convert_from(lo_get(" + largeObject + "), 'UTF8')")) {
            row.next();
            return row.getString(1);
        }
    }

    private static long adminLong(String query) throws SQLException {
        try (Connection admin = scratch.admin();
                Statement sql = admin.createStatement();
                ResultSet row = sql.executeQuery(query)) {
            row.next();
            return row.getLong(1);
        }
    }

    /** The key Flyway (and MigrationLock) takes: holding it would stall every migration. */
    private static final class MigrationLockKey {
        static final long VALUE = 77431708279161L + "\"public\".\"flyway_schema_history\"".hashCode();
    }

    static Stream<Arguments> writeAttempts() {
        return Stream.of(
                Arguments.of(
                        "INSERT INTO probe (note) VALUES ('x')", "cannot execute INSERT in a read-only transaction"),
                Arguments.of("UPDATE probe SET note = 'x'", "cannot execute UPDATE in a read-only transaction"),
                Arguments.of("DELETE FROM probe", "cannot execute DELETE in a read-only transaction"),
                Arguments.of(
                        "WITH gone AS (DELETE FROM probe RETURNING *) SELECT * FROM gone",
                        "cannot execute SELECT in a read-only transaction"),
                Arguments.of("TRUNCATE probe", "cannot execute TRUNCATE TABLE in a read-only transaction"),
                Arguments.of("DROP TABLE probe", "cannot execute DROP TABLE in a read-only transaction"),
                Arguments.of(
                        "CREATE TABLE intruder (id int)", "cannot execute CREATE TABLE in a read-only transaction"),
                Arguments.of(
                        "ALTER TABLE probe ENABLE ROW LEVEL SECURITY",
                        "cannot execute ALTER TABLE in a read-only transaction"),
                Arguments.of(
                        "CREATE TEMP TABLE scratch AS SELECT 1",
                        "cannot execute CREATE TABLE AS in a read-only transaction"),
                Arguments.of("COPY probe FROM STDIN", "permission denied for table probe"),
                // PostgreSQL 15 words these "must be superuser or have privileges of ... to COPY ...".
                Arguments.of("COPY probe FROM '/etc/hostname'", "to COPY from a file"),
                Arguments.of(
                        "COPY (SELECT 1) TO PROGRAM 'touch " + PWNED + "'", "to COPY to or from an external program"),
                Arguments.of("SET ROLE postgres", "permission denied to set role \"postgres\""),
                Arguments.of(
                        "SELECT set_config('role', 'postgres', true)", "permission denied to set role \"postgres\""),
                Arguments.of("SET SESSION AUTHORIZATION postgres", "permission denied to set session authorization"),
                Arguments.of(
                        "DO $$ BEGIN PERFORM set_config('role', 'postgres', true); DELETE FROM probe; END $$",
                        "permission denied to set role \"postgres\""),
                Arguments.of(
                        "DO $$ BEGIN DELETE FROM probe; END $$", "cannot execute DELETE in a read-only transaction"),
                Arguments.of("SET TRANSACTION READ WRITE", "transaction read-write mode must be set before any query"),
                Arguments.of(
                        "SELECT set_config('transaction_read_only', 'off', true)",
                        "transaction read-write mode must be set before any query"),
                Arguments.of("SELECT write_probe()", "cannot execute INSERT in a read-only transaction"),
                Arguments.of("SELECT nextval('probe_seq')", "permission denied for sequence probe_seq"),
                Arguments.of(
                        "SELECT * FROM probe FOR UPDATE",
                        "cannot execute SELECT FOR UPDATE in a read-only transaction"),
                Arguments.of("LOCK TABLE probe IN ACCESS EXCLUSIVE MODE", "permission denied for table probe"),
                Arguments.of("GRANT postgres TO eryao_reader", "cannot execute GRANT ROLE in a read-only transaction"),
                Arguments.of(
                        "ALTER ROLE eryao_reader SUPERUSER", "cannot execute ALTER ROLE in a read-only transaction"),
                Arguments.of("SELECT 1; DELETE FROM probe", "one statement at a time: this text holds 2 statements"),
                Arguments.of("COMMIT; DROP TABLE probe", "one statement at a time: this text holds 2 statements"),
                Arguments.of("/* keep it */ prepare transaction 'eryao'", "PREPARE TRANSACTION is not allowed"));
    }

    @ParameterizedTest(name = "{0} is refused and changes nothing")
    @MethodSource("writeAttempts")
    void everyWriteAttemptIsRefusedAndChangesNothing(String attempt, String refusal) {
        String before = scratch.fingerprint();

        assertThatThrownBy(() -> sql.execute(attempt))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining(refusal);

        assertThat(scratch.fingerprint()).isEqualTo(before);
        assertThat(PWNED).doesNotExist();
        assertThat(sql.execute("SELECT count(*) AS n FROM probe").rows()).containsExactly(java.util.List.of(2L));
    }

    @Test
    void sessionSettingsAQueryChangesDoNotReachTheNextQuery() {
        sql.execute("SELECT set_config('default_transaction_read_only', 'off', false)");
        sql.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE");
        String before = scratch.fingerprint();

        assertThat(sql.execute("SHOW default_transaction_read_only").rows()).containsExactly(java.util.List.of("on"));
        assertThatThrownBy(() -> sql.execute("INSERT INTO probe (note) VALUES ('x')"))
                .hasMessageContaining("cannot execute INSERT in a read-only transaction");
        assertThat(scratch.fingerprint()).isEqualTo(before);
    }

    @Test
    void aSecondStatementThatReachedTheServerWouldStillBeRefusedByTheReaderRole() throws SQLException {
        String before = scratch.fingerprint();
        // Straight to the server as the reader, auto-commit on, no tool in between: after COMMIT the
        // DELETE runs in a transaction of its own, read-only by the role's own default.
        try (Connection reader = scratch.database()
                        .unpooledDataSource(
                                "eryao_reader", scratch.settings().tools().readerPassword())
                        .getConnection();
                Statement statement = reader.createStatement()) {
            assertThatThrownBy(() -> statement.execute("COMMIT; DELETE FROM probe"))
                    .hasMessageContaining("cannot execute DELETE in a read-only transaction");
        }
        assertThat(scratch.fingerprint()).isEqualTo(before);
    }

    @Test
    void aLoginThatCouldWriteIsRefusedBeforeAnyQueryRuns() {
        var superuser = scratch.settings().database();
        ReadOnlyAccess asSuperuser = new ReadOnlyAccess(
                scratch.database().unpooledDataSource(superuser.user(), superuser.password()), superuser.user(), 1_000);

        assertThatThrownBy(() -> new SqlExecutor(asSuperuser, 10, ToolsSettings.DEFAULT_MAX_BYTES).execute("SELECT 1"))
                .isInstanceOf(ToolException.class)
                .hasMessageStartingWith("refusing to run as postgres: it is a superuser");
        assertThat(Files.exists(PWNED)).isFalse();
    }
}
