package dev.eryao.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.ToolsSettings;
import dev.eryao.support.ScratchDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way we know to write through {@code execute_sql}, aimed at real rows in the scratch
 * database: each is refused, with the database's own message (bar the two-statement texts, which
 * never reach it), and afterwards nothing in the database differs.
 */
class WriteAttemptsTest {
    private static final ScratchDatabase scratch = ScratchDatabase.get();
    private static final Path PWNED = Path.of(System.getProperty("java.io.tmpdir"), "eryao-copy-to-program-ran");

    private final SqlExecutor sql = new SqlExecutor(
            ReadOnlyAccess.of(scratch.database(), scratch.settings().tools()), ToolsSettings.DEFAULT_MAX_ROWS);

    static Stream<Arguments> writeAttempts() {
        return Stream.of(
                Arguments.of("INSERT INTO probe (note) VALUES ('x')", "cannot execute INSERT in a read-only transaction"),
                Arguments.of("UPDATE probe SET note = 'x'", "cannot execute UPDATE in a read-only transaction"),
                Arguments.of("DELETE FROM probe", "cannot execute DELETE in a read-only transaction"),
                Arguments.of("WITH gone AS (DELETE FROM probe RETURNING *) SELECT * FROM gone",
                        "cannot execute SELECT in a read-only transaction"),
                Arguments.of("TRUNCATE probe", "cannot execute TRUNCATE TABLE in a read-only transaction"),
                Arguments.of("DROP TABLE probe", "cannot execute DROP TABLE in a read-only transaction"),
                Arguments.of("CREATE TABLE intruder (id int)", "cannot execute CREATE TABLE in a read-only transaction"),
                Arguments.of("ALTER TABLE probe ENABLE ROW LEVEL SECURITY", "cannot execute ALTER TABLE in a read-only transaction"),
                Arguments.of("CREATE TEMP TABLE scratch AS SELECT 1", "cannot execute CREATE TABLE AS in a read-only transaction"),
                Arguments.of("COPY probe FROM STDIN", "permission denied for table probe"),
                // PostgreSQL 15 words these "must be superuser or have privileges of ... to COPY ...".
                Arguments.of("COPY probe FROM '/etc/hostname'", "to COPY from a file"),
                Arguments.of("COPY (SELECT 1) TO PROGRAM 'touch " + PWNED + "'",
                        "to COPY to or from an external program"),
                Arguments.of("SET ROLE postgres", "permission denied to set role \"postgres\""),
                Arguments.of("SELECT set_config('role', 'postgres', true)", "permission denied to set role \"postgres\""),
                Arguments.of("SET SESSION AUTHORIZATION postgres", "permission denied to set session authorization"),
                Arguments.of("DO $$ BEGIN PERFORM set_config('role', 'postgres', true); DELETE FROM probe; END $$",
                        "permission denied to set role \"postgres\""),
                Arguments.of("DO $$ BEGIN DELETE FROM probe; END $$", "cannot execute DELETE in a read-only transaction"),
                Arguments.of("SET TRANSACTION READ WRITE", "transaction read-write mode must be set before any query"),
                Arguments.of("SELECT set_config('transaction_read_only', 'off', true)",
                        "transaction read-write mode must be set before any query"),
                Arguments.of("SELECT write_probe()", "cannot execute INSERT in a read-only transaction"),
                Arguments.of("SELECT nextval('probe_seq')", "permission denied for sequence probe_seq"),
                Arguments.of("SELECT lo_create(0)", "cannot execute lo_create() in a read-only transaction"),
                Arguments.of("SELECT * FROM probe FOR UPDATE", "cannot execute SELECT FOR UPDATE in a read-only transaction"),
                Arguments.of("LOCK TABLE probe IN ACCESS EXCLUSIVE MODE", "permission denied for table probe"),
                Arguments.of("GRANT postgres TO eryao_reader", "cannot execute GRANT ROLE in a read-only transaction"),
                Arguments.of("ALTER ROLE eryao_reader SUPERUSER", "cannot execute ALTER ROLE in a read-only transaction"),
                Arguments.of("SELECT 1; DELETE FROM probe", "one statement at a time: this text holds 2 statements"),
                Arguments.of("COMMIT; DROP TABLE probe", "one statement at a time: this text holds 2 statements"));
    }

    @ParameterizedTest(name = "{0} is refused and changes nothing")
    @MethodSource("writeAttempts")
    void everyWriteAttemptIsRefusedAndChangesNothing(String attempt, String refusal) {
        String before = scratch.fingerprint();

        assertThatThrownBy(() -> sql.execute(attempt)).isInstanceOf(ToolException.class).hasMessageContaining(refusal);

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
                .unpooledDataSource("eryao_reader", scratch.settings().tools().readerPassword()).getConnection();
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

        assertThatThrownBy(() -> new SqlExecutor(asSuperuser, 10).execute("SELECT 1"))
                .isInstanceOf(ToolException.class)
                .hasMessageStartingWith("refusing to run as postgres: it is a superuser");
        assertThat(Files.exists(PWNED)).isFalse();
    }
}
