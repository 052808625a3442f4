package dev.eryao.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.core.config.ToolsSettings;
import dev.eryao.support.ScratchDatabase;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlExecutorTest {
    private static final ScratchDatabase scratch = ScratchDatabase.get();

    private static SqlExecutor executor(int maxRows, Duration timeout) {
        return new SqlExecutor(
                ReadOnlyAccess.of(scratch.database(), scratch.settings().tools().withStatementTimeout(timeout)),
                maxRows,
                ToolsSettings.DEFAULT_MAX_BYTES);
    }

    private static SqlExecutor bytesCapped(int maxRows, int maxBytes) {
        ToolsSettings tools = scratch.settings().tools().withMaxBytes(maxBytes);
        return new SqlExecutor(ReadOnlyAccess.of(scratch.database(), tools), maxRows, tools.maxBytes());
    }

    private static long bytes(QueryResult result) {
        return result.rows().stream()
                .flatMap(List::stream)
                .mapToLong(value -> Cells.utf8Length(value == null ? null : value.toString()))
                .sum();
    }

    private final SqlExecutor sql = executor(ToolsSettings.DEFAULT_MAX_ROWS, ToolsSettings.DEFAULT_STATEMENT_TIMEOUT);

    @Test
    void aSelectReturnsTypedValuesWithTimestampsInUtc() {
        QueryResult result = sql.execute("""
                SELECT 1 AS i, 2.50::numeric AS d, true AS b, 'x' AS t, NULL AS n, '{"a": [1]}'::jsonb AS j,
                       '2026-01-02 03:04:05+02'::timestamptz AS ts, 'NaN'::numeric AS nan""");

        assertThat(result.columns()).containsExactly("i", "d", "b", "t", "n", "j", "ts", "nan");
        List<Object> row = result.rows().get(0);
        assertThat(row.subList(0, 5)).containsExactly(1L, new BigDecimal("2.50"), true, "x", null);
        assertThat(((JsonNode) row.get(5)).get("a").get(0).asInt()).isEqualTo(1);
        assertThat(row.subList(6, 8)).containsExactly("2026-01-02 01:04:05+00", "NaN");
        assertThat(result.truncated()).isFalse();
    }

    @Test
    void aQuestionMarkIsAnOperatorNotABindParameter() {
        assertThat(sql.execute("SELECT '{\"a\": 1}'::jsonb ? 'a' AS has_a;").rows())
                .containsExactly(List.of(true));
    }

    @Test
    void theReaderSeesRowsThatRowLevelSecurityHidesFromClients() {
        assertThat(sql.execute("SELECT secret FROM guarded").rows())
                .containsExactly(List.of("only the reader and the owner see this"));
    }

    @Test
    void aHugeResultIsCutAtTheRowCapAndTheServerStopsProducingRows() {
        long started = System.nanoTime();
        QueryResult result = executor(5, Duration.ofSeconds(5)).execute("SELECT generate_series(1, 1000000000) AS n");
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(result.rows()).containsExactly(List.of(1L), List.of(2L), List.of(3L), List.of(4L), List.of(5L));
        assertThat(result.truncated()).isTrue();
        assertThat(millis).as("a billion rows were never produced").isLessThan(3_000);
    }

    @Test
    void oneValueLargerThanTheByteCapIsNeverHeldAndTheResultSaysItWasTruncated() {
        int cap = 64 * 1024;

        // 40 times the cap, in one value of one row: the driver refuses the row before allocating it.
        QueryResult result = bytesCapped(100, cap).execute("SELECT 'head' AS h, repeat('x', 40 * 65536) AS big");

        assertThat(result.cut()).isEqualTo(QueryResult.Cut.BYTES);
        assertThat(result.rows()).isEmpty();
        String json = ToolsJson.queryResult(result);
        assertThat(json.length()).as(json).isLessThan(cap);
        assertThat(json)
                .contains("\"truncated\":true")
                .contains("\"truncated_by\":\"bytes\"")
                .contains("result truncated at 65536 bytes");
        assertThat(TextOutput.queryResult(result)).contains("result truncated at 65536 bytes");
    }

    @Test
    void manyRowsStopAtTheByteCapBeforeTheRowCap() {
        int cap = 64 * 1024;

        QueryResult result = bytesCapped(10_000, cap)
                .execute("SELECT g, repeat('y', 1000) AS filler FROM generate_series(1, 1000000) g");

        assertThat(result.cut()).isEqualTo(QueryResult.Cut.BYTES);
        assertThat(result.rows()).isNotEmpty().hasSizeLessThan(10_000);
        assertThat(bytes(result)).isLessThanOrEqualTo(cap);
        for (int i = 0; i < result.rows().size(); i++) {
            assertThat(result.rows().get(i).get(0))
                    .as("rows arrive in order, none skipped")
                    .isEqualTo(i + 1L);
        }
        assertThat(ToolsJson.queryResult(result).length()).isLessThan(cap + 16 * 1024);
    }

    @Test
    void aResultWithinBothCapsIsWhole() {
        QueryResult result = bytesCapped(100, 4096).execute("SELECT g FROM generate_series(1, 100) g");

        assertThat(result.cut()).isEqualTo(QueryResult.Cut.NONE);
        assertThat(result.rows()).hasSize(100);
    }

    @Test
    void aHugeErrorMessageIsCutToOneReadableLine() {
        assertThatThrownBy(() -> sql.execute("SELECT repeat('z', 100000)::int"))
                .isInstanceOf(ToolException.class)
                .hasMessageStartingWith("ERROR: invalid input syntax for type integer: \"zzz")
                .hasMessageContaining("more characters)")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(ToolException.MAX_MESSAGE_CHARS + 100));
    }

    @Test
    void aQueryRunningPastTheTimeoutIsCancelledByTheDatabase() {
        long started = System.nanoTime();

        assertThatThrownBy(() -> executor(10, Duration.ofMillis(300)).execute("SELECT pg_sleep(30)"))
                .isInstanceOf(ToolException.class)
                .hasMessage("ERROR: canceling statement due to statement timeout (SQLSTATE 57014)");
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(3_000);
    }

    @Test
    void aQueryCannotLiftItsOwnTimeout() {
        long started = System.nanoTime();

        assertThatThrownBy(
                        () -> executor(10, Duration.ofMillis(300))
                                .execute(
                                        "SELECT set_config('statement_timeout', '0', true), set_config('statement_timeout', '0', false), pg_sleep(30)"))
                .hasMessageContaining("canceling statement due to statement timeout");
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(3_000);
    }

    @Test
    void aStatementWithoutRowsReturnsNoColumns() {
        assertThat(sql.execute("SET LOCAL work_mem = '8MB'").columns()).isEmpty();
    }

    @Test
    void emptyTextIsBadInputAndReachesNoDatabase() {
        for (String nothing : Arrays.asList("", "   ", null)) {
            assertThatThrownBy(() -> sql.execute(nothing))
                    .isInstanceOf(ToolException.class)
                    .hasMessage("no query given");
        }
        assertThatThrownBy(() -> sql.execute(" ; ;")).hasMessageStartingWith("no query given");
    }

    @Test
    void aMissingReaderLoginNamesTheRevisionThatCreatesIt() {
        ReadOnlyAccess nobody = new ReadOnlyAccess(
                scratch.database()
                        .unpooledDataSource(
                                "eryao_nobody", scratch.settings().tools().readerPassword()),
                "eryao_nobody",
                1_000);

        assertThatThrownBy(() -> new SqlExecutor(nobody, 1, ToolsSettings.DEFAULT_MAX_BYTES).execute("SELECT 1"))
                .isInstanceOf(ToolException.class)
                .hasMessageStartingWith("cannot log in as eryao_nobody: FATAL: ")
                // PostgreSQL's words, or PgBouncer's when the suite runs through it (bin/test-pooler)
                .satisfies(e -> assertThat(e.getMessage())
                        .containsAnyOf("role \"eryao_nobody\" does not exist", "no such user"))
                .hasMessageContaining("20261124_0002");
    }
}
