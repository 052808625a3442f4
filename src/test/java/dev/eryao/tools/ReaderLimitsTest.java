package dev.eryao.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.eryao.core.config.Environment;
import dev.eryao.core.config.Settings;
import dev.eryao.core.config.ToolsSettings;
import dev.eryao.core.db.Database;
import dev.eryao.support.ScratchDatabase;
import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** What one query of the data tools may take from the server: temporary files, memory, connections. */
class ReaderLimitsTest {
    private static final ScratchDatabase scratch = ScratchDatabase.get();

    private final SqlExecutor sql = new SqlExecutor(
            ReadOnlyAccess.of(scratch.database(), scratch.settings().tools()),
            ToolsSettings.DEFAULT_MAX_ROWS,
            ToolsSettings.DEFAULT_MAX_BYTES);

    @Test
    void everyToolTransactionRunsWithTheReadersTempFileLimitAndABoundedWorkMem() {
        assertThat(sql.execute("SELECT current_setting('temp_file_limit') AS t, current_setting('work_mem') AS w")
                        .rows())
                .containsExactly(List.of(ReadOnlyAccess.TEMP_FILE_LIMIT, "16MB"));
    }

    @Test
    void aQueryThatWouldWriteLargeTemporaryFilesIsStoppedAtTheLimit() {
        // A generous timeout, so on a busy machine the temp-file limit, not the clock, stops it.
        SqlExecutor patient = new SqlExecutor(
                ReadOnlyAccess.of(
                        scratch.database(), scratch.settings().tools().withStatementTimeout(Duration.ofMinutes(2))),
                10,
                ToolsSettings.DEFAULT_MAX_BYTES);
        // About 400 MB to sort, far more than work_mem: it spills, and stops at 256 MB of temp files.
        assertThatThrownBy(() -> patient.execute("""
                SELECT count(DISTINCT t) FROM (SELECT g::text || repeat('x', 1000) AS t
                                               FROM generate_series(1, 400000) g) s"""))
                .isInstanceOf(ToolException.class)
                .hasMessage("ERROR: temporary file size exceeds temp_file_limit (262144kB) (SQLSTATE 53400)");
    }

    @Test
    void aQueryCannotRaiseItsOwnTempFileLimit() {
        assertThatThrownBy(() -> sql.execute("SELECT set_config('temp_file_limit', '-1', true)"))
                .hasMessageContaining("permission denied to set parameter \"temp_file_limit\"");
    }

    /**
     * Against the server itself. Behind a transaction pooler the role's connections are the pooler's:
     * a call waits in its queue for one instead of being refused, so there is no refusal to word.
     */
    @Test
    void whenEveryConnectionTheReaderMayOpenIsTakenTheToolsSayTheyAreBusy() throws SQLException {
        assumeTrue(
                TestDatabase.get().sessionSettings().port()
                        == scratch.settings().database().port(),
                "a transaction pooler is under test: it queues calls rather than refusing them");
        // Held as concurrent tool calls hold them: each inside a transaction.
        Map<String, String> direct =
                new HashMap<>(ScratchDatabase.variablesFor(TestDatabase.get().sessionSettings(), scratch.name()));
        direct.put("ERYAO_DATABASE__POOL_MODE", "session");
        Settings settings = Settings.from(Environment.of(direct));
        List<Connection> held = new ArrayList<>();
        try (Database database = Database.open(settings)) {
            DataSource readers = database.unpooledDataSource(
                    settings.tools().readerUser(), settings.tools().readerPassword());
            SQLException refused = null;
            while (refused == null && held.size() < 50) {
                try {
                    Connection connection = readers.getConnection();
                    held.add(connection);
                    connection.setAutoCommit(false);
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("SELECT 1");
                    }
                } catch (SQLException e) {
                    refused = e;
                }
            }
            assertThat(refused != null)
                    .as("the role's CONNECTION LIMIT ran out")
                    .isTrue();
            assertThat(held.size()).isLessThanOrEqualTo(10);

            assertThatThrownBy(() -> sql.execute("SELECT 1"))
                    .isInstanceOf(ToolException.class)
                    .hasMessage("the data tools are busy: every connection eryao_reader may open is in use (its"
                            + " CONNECTION LIMIT); try again in a moment");
        } finally {
            for (Connection connection : held) {
                connection.close();
            }
        }
        assertThat(sql.execute("SELECT 1 AS one").rows()).as("free again").containsExactly(List.of(1L));
    }
}
