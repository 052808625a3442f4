package dev.eryao.cli;

import static dev.eryao.support.Cli.eryao;
import static dev.eryao.support.Cli.eryaoWithInput;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.support.Cli.Result;
import dev.eryao.support.ScratchDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlCommandTest {
    private static final ScratchDatabase scratch = ScratchDatabase.get();

    @TempDir
    Path dir;

    private static Map<String, String> with(String... pairs) {
        Map<String, String> variables = new HashMap<>(scratch.variables());
        for (int i = 0; i < pairs.length; i += 2) {
            variables.put(pairs[i], pairs[i + 1]);
        }
        return variables;
    }

    @Test
    void sqlPrintsTheRowsAsATable() {
        Result result = eryao(with(), "sql", "SELECT note, length(note) AS chars FROM probe ORDER BY note");

        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("""
                note   | chars
                -------+------
                first  | 5
                second | 6
                (2 rows)
                """);
    }

    @Test
    void sqlReadsTheStatementFromAFileOrFromStandardInput() throws Exception {
        Path file = dir.resolve("query.sql");
        Files.writeString(file, "-- how many\nSELECT count(*) AS n FROM probe;\n");

        Result fromFile = eryao(with(), "sql", "--file", file.toString());
        Result fromInput = eryaoWithInput("SELECT count(*) AS n FROM probe", with(), "sql");

        assertThat(fromFile.out()).as(fromFile.err()).contains("n\n-\n2\n(1 row)");
        assertThat(fromInput.out()).as(fromInput.err()).isEqualTo(fromFile.out());
    }

    @Test
    void jsonPrintsTheSameRowsForScripts() throws Exception {
        Result result =
                eryao(with(), "sql", "--json", "SELECT note, '{\"k\": 1}'::jsonb AS meta FROM probe ORDER BY note");

        JsonNode json = new ObjectMapper().readTree(result.out());
        assertThat(json.get("columns").toString()).isEqualTo("[\"note\",\"meta\"]");
        assertThat(json.get("rows").get(0).toString()).isEqualTo("{\"note\":\"first\",\"meta\":{\"k\":1}}");
        assertThat(json.get("row_count").asInt()).isEqualTo(2);
        assertThat(json.get("truncated").asBoolean()).isFalse();
    }

    @Test
    void theRowCapComesFromTheSettingAndTheFlagWins() {
        String query = "SELECT g FROM generate_series(1, 50) g";

        Result bySetting = eryao(with("ERYAO_TOOLS__MAX_ROWS", "3"), "sql", query);
        Result byFlag = eryao(with("ERYAO_TOOLS__MAX_ROWS", "3"), "sql", "--max-rows", "4", query);

        assertThat(bySetting.out())
                .endsWith("3\n(3 rows; more were cut off at the limit of 3: --max-rows or"
                        + " ERYAO_TOOLS__MAX_ROWS raises it)\n");
        assertThat(byFlag.out()).contains("(4 rows; more were cut off at the limit of 4");
    }

    @Test
    void theTimeoutComesFromTheSettingAndTheFlagWins() {
        Result bySetting = eryao(with("ERYAO_TOOLS__STATEMENT_TIMEOUT_MS", "200"), "sql", "SELECT pg_sleep(20)");
        Result byFlag = eryao(with(), "sql", "--timeout-ms", "200", "SELECT pg_sleep(20)");

        for (Result result : new Result[] {bySetting, byFlag}) {
            assertThat(result.status()).isEqualTo(Main.FAILED);
            assertThat(result.err().lines())
                    .containsExactly("eryao: ERROR: canceling statement due to statement timeout (SQLSTATE 57014)");
        }
    }

    @Test
    void aRefusedWriteIsOneLineOnStderrAndExitStatusOne() {
        String before = scratch.fingerprint();

        Result result = eryao(with(), "sql", "DELETE FROM probe");

        assertThat(result.status()).isEqualTo(Main.FAILED);
        assertThat(result.err().lines())
                .containsExactly("eryao: ERROR: cannot execute DELETE in a read-only transaction (SQLSTATE 25006)");
        assertThat(result.out()).isEmpty();
        assertThat(scratch.fingerprint()).isEqualTo(before);
    }

    @Test
    void badInputIsOneLineOnStderrAndExitStatusOne() {
        assertThat(eryao(with(), "sql", "  ").err().lines()).containsExactly("eryao: no query given");
        assertThat(eryao(with(), "sql", "SELECT 1", "--file", "x.sql").err().lines())
                .containsExactly("eryao: give the query as an argument or with --file, not both");
        assertThat(eryao(with(), "sql", "--file", dir.resolve("missing.sql").toString())
                        .err())
                .startsWith("eryao: cannot read " + dir.resolve("missing.sql"));
        assertThat(eryao(with(), "sql", "SELEC 1").err().lines())
                .containsExactly("eryao: ERROR: syntax error at or near \"SELEC\" (SQLSTATE 42601)");
        assertThat(eryao(with(), "sql", "SELEC 1").status()).isEqualTo(Main.FAILED);
    }

    @Test
    void aLimitOutsideItsRangeIsRefusedNamingTheFlagOrTheVariable() {
        Result flag = eryao(with(), "sql", "--max-rows", "0", "SELECT 1");
        Result variable = eryao(with("ERYAO_TOOLS__STATEMENT_TIMEOUT_MS", "0"), "sql", "SELECT 1");

        assertThat(flag.status()).isEqualTo(Main.FAILED);
        assertThat(flag.err().lines())
                .containsExactly("eryao: --max-rows=0 is not accepted: expected a whole number from 1 to 10000");
        assertThat(variable.status()).isEqualTo(Main.FAILED);
        assertThat(variable.err().lines())
                .containsExactly("eryao: ERYAO_TOOLS__STATEMENT_TIMEOUT_MS='0' is not"
                        + " accepted: expected a whole number from 1 to 600000");
    }

    @Test
    void theByteCapComesFromTheSettingAndTheFlagAndACutSaysSo() {
        String query = "SELECT g, repeat('x', 100) AS filler FROM generate_series(1, 1000) g";

        Result bySetting = eryao(with("ERYAO_TOOLS__MAX_BYTES", "2048"), "sql", query);
        Result byFlag = eryao(with("ERYAO_TOOLS__MAX_BYTES", "2048"), "sql", "--max-bytes", "4096", "--json", query);

        assertThat(bySetting.status()).as(bySetting.err()).isZero();
        assertThat(bySetting.out())
                .endsWith(" rows; result truncated at 2048 bytes: the rows after these would pass"
                        + " that limit; --max-bytes or ERYAO_TOOLS__MAX_BYTES raises it)\n");
        assertThat(bySetting.out().lines().count()).isLessThan(30);
        assertThat(byFlag.out()).contains("\"truncated_by\":\"bytes\"").contains("\"max_bytes\":4096");
        assertThat(byFlag.out().length()).isLessThan(4096 + 2048);
    }

    @Test
    void aByteCapOutsideItsRangeIsRefusedAtStartUp() {
        Result variable = eryao(with("ERYAO_TOOLS__MAX_BYTES", "lots"), "sql", "SELECT 1");
        Result flag = eryao(with(), "sql", "--max-bytes", "10", "SELECT 1");

        assertThat(variable.status()).isEqualTo(Main.FAILED);
        assertThat(variable.err().lines())
                .containsExactly("eryao: ERYAO_TOOLS__MAX_BYTES='lots' is not accepted:"
                        + " expected a whole number from 1024 to 67108864");
        assertThat(flag.err().lines())
                .containsExactly(
                        "eryao: --max-bytes=10 is not accepted: expected a whole number from 1024 to 67108864");
    }
}
