package dev.eryao.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.config.DatabaseSettings;
import dev.eryao.core.config.Environment;
import dev.eryao.migrations.RevisionCatalog;
import dev.eryao.support.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MigrateCommandTest {

    private record Result(int status, String out, String err) {}

    private static Result eryao(Map<String, String> variables, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(Environment.of(variables), new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void migrateBringsAFreshEmbeddedDatabaseToHeadAndItStaysThereAcrossRestarts() throws Exception {
        Path dataDir = TestDatabase.temporaryDirectory();
        Map<String, String> variables = Map.of("ERYAO_DATA_DIR", dataDir.toString());

        Result first = eryao(variables, "migrate");
        Result second = eryao(variables, "migrate");

        String head = RevisionCatalog.load().head().orElseThrow().id();
        int revisions = RevisionCatalog.load().all().size();
        assertThat(first.status()).as(first.err()).isZero();
        assertThat(first.out())
                .containsPattern("applying 20260411_0001 initial_llm_schema \\.\\.\\. \\d+ ms")
                .containsPattern("applying 20260411_0002 agent_chat_schema \\.\\.\\. \\d+ ms")
                .contains("now at " + head + " (" + revisions + " applied)");
        assertThat(dataDir.resolve("pgdata/PG_VERSION")).exists();
        assertThat(second.status()).as(second.err()).isZero();
        assertThat(second.out())
                .as("the data directory kept the schema")
                .contains("already at " + head)
                .doesNotContain("applying");
    }

    @Test
    void aBadSettingStopsTheCommandWithOneLineNamingTheVariable() {
        Result result = eryao(Map.of("ERYAO_DATABASE__PORT", "abc"), "migrate");

        assertThat(result.status()).isEqualTo(Main.FAILED);
        assertThat(result.err().lines())
                .containsExactly(
                        "eryao: ERYAO_DATABASE__PORT='abc' is not accepted: expected a whole number from 1 to 65535");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void migrateRefusesATransactionModePooler() {
        DatabaseSettings server = TestDatabase.get().database().settings();
        Result result = eryao(
                Map.of(
                        "ERYAO_DATABASE__HOST", server.host(),
                        "ERYAO_DATABASE__PORT", String.valueOf(server.port()),
                        "ERYAO_DATABASE__USER", server.user(),
                        "ERYAO_DATABASE__PASSWORD", server.password().reveal(),
                        "ERYAO_DATABASE__SSLMODE", server.sslMode().pgValue(),
                        "ERYAO_DATABASE__POOL_MODE", "transaction"),
                "migrate");

        assertThat(result.status()).isEqualTo(Main.FAILED);
        assertThat(result.err().lines())
                .singleElement()
                .asString()
                .startsWith("eryao: migrations cannot run through a transaction-mode pooler");
    }

    @Test
    void anUnknownCommandOrNoCommandIsAUsageError() {
        assertThat(eryao(Map.of(), "migrat").status()).isEqualTo(Main.USAGE);
        assertThat(eryao(Map.of()).status()).isEqualTo(Main.USAGE);
    }
}
