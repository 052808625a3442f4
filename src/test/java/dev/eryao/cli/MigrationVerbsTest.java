package dev.eryao.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.config.DatabaseSettings;
import dev.eryao.core.config.Environment;
import dev.eryao.core.db.Database;
import dev.eryao.migrations.RevisionCatalog;
import dev.eryao.support.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Alembic verbs through the command line, on a database of this test's own. */
class MigrationVerbsTest {
    private Database database;
    private Map<String, String> variables;

    private record Result(int status, String out, String err) {}

    private Result eryao(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(Environment.of(variables), new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(status, out.toString(), err.toString());
    }

    @BeforeEach
    void databaseOfItsOwn() {
        database = TestDatabase.get().freshDatabase();
        DatabaseSettings db = database.settings();
        variables = Map.of(
                "ERYAO_DATABASE__HOST", db.host(),
                "ERYAO_DATABASE__PORT", String.valueOf(db.port()),
                "ERYAO_DATABASE__NAME", db.name(),
                "ERYAO_DATABASE__USER", db.user(),
                "ERYAO_DATABASE__PASSWORD", db.password().reveal(),
                "ERYAO_DATABASE__SSLMODE", db.sslMode().pgValue());
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void bootstrapMigratesThenSeedsAndCurrentHistoryAndHeadsAgree() {
        Result bootstrap = eryao("bootstrap");
        Result head = eryao("heads");

        assertThat(bootstrap.status()).as(bootstrap.err()).isZero();
        assertThat(bootstrap.out())
                .containsPattern("applying 20260411_0001 initial_llm_schema \\.\\.\\. \\d+ ms")
                .containsPattern("seeding 0001_llm_catalog \\.\\.\\. \\d+ ms");
        String headId = head.out().split(" ")[0];
        assertThat(eryao("current").out().strip()).isEqualTo(headId);
        assertThat(eryao("history").out().lines())
                .allSatisfy(line -> assertThat(line).containsPattern("^\\d{8}_\\d{4} +[a-z0-9_]+ +applied +20\\d\\d-"));
        assertThat(eryao("init-data").out()).contains("seed 0001_llm_catalog unchanged", "0 seed(s) applied");
    }

    @Test
    void downgradeStepsBackAndMigrateTargetStepsForward() {
        eryao("migrate");

        Result back = eryao("downgrade", "20260411_0002");
        Result oneMore = eryao("downgrade", "-1");
        Result forward = eryao("migrate", "--target", "20260411_0003");

        assertThat(back.status()).as(back.err()).isZero();
        assertThat(back.out())
                .containsPattern("reverting 20260411_0003 points_ledger \\.\\.\\. \\d+ ms")
                .contains(
                        "now at 20260411_0002 (" + (RevisionCatalog.load().all().size() - 2) + " reverted)");
        assertThat(oneMore.out())
                .contains("reverting 20260411_0002 agent_chat_schema", "now at 20260411_0001 (1 reverted)");
        assertThat(forward.out())
                .contains("applying 20260411_0002", "applying 20260411_0003")
                .doesNotContain("applying 20261124")
                .contains("now at 20260411_0003 (2 applied)");
        assertThat(eryao("downgrade", "base").out()).contains("now at base");
        assertThat(eryao("current").out().strip()).isEqualTo("base");
    }

    @Test
    void stampRecordsWithoutRunningForADatabaseThatAlreadyHasTheSchema() {
        eryao("migrate", "--target", "20260411_0002");
        assertThat(eryao("stamp", "base").out()).contains("now at base"); // as if another tool had built it

        Result stamp = eryao("stamp", "20260411_0002");

        assertThat(stamp.status()).as(stamp.err()).isZero();
        assertThat(stamp.out()).contains("stamped 20260411_0001 initial_llm_schema as applied", "now at 20260411_0002");
        assertThat(eryao("migrate").out())
                .doesNotContain("applying 20260411_0001")
                .contains("applying 20260411_0003");
    }

    @Test
    void sqlPrintsTheScriptsAndTouchesNothing() {
        Result upgrade = eryao("migrate", "--sql");
        Result downgrade = eryao("downgrade", "base", "--sql");

        assertThat(upgrade.status()).isZero();
        assertThat(upgrade.out())
                .contains(
                        "-- applying 20260411_0001 initial_llm_schema",
                        "CREATE TABLE llm_factory",
                        "INSERT INTO public.flyway_schema_history");
        assertThat(downgrade.out()).contains("-- reverting 20260411_0001 initial_llm_schema", "DROP TABLE llm_factory");
        assertThat(eryao("current").out().strip()).as("nothing was applied").isEqualTo("base");
    }

    @Test
    void revisionWritesBothFilesIntoTheNamedFolder() throws Exception {
        Path db = TestDatabase.temporaryDirectory();
        Files.createDirectories(db.resolve("migration"));

        Result result = eryao("revision", "-m", "add user preferences table", "--dir", db.toString());

        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).containsPattern("wrote revision \\d{8}_0001 add_user_preferences_table");
        try (var files = Files.list(db.resolve("migration"))) {
            assertThat(files).singleElement().asString().matches(".*/V\\d{8}_0001__add_user_preferences_table\\.sql");
        }
        assertThat(eryao("revision", "-m", "???", "--dir", db.toString()).status())
                .isEqualTo(Main.USAGE);
    }

    @Test
    void checkPassesWhenModelsAndDatabaseAgreeAndFailsListingWhatAutogenerateWouldWrite() throws Exception {
        eryao("migrate");
        Result agree = eryao("check");
        try (var connection = database.dataSource().getConnection();
                var sql = connection.createStatement()) {
            sql.execute("CREATE INDEX ix_llms_display_name ON llms (display_name)");
            connection.commit();
        }
        Result differ = eryao("check");
        Path db = TestDatabase.temporaryDirectory();
        Files.createDirectories(db.resolve("migration"));
        Result generated = eryao("revision", "--autogenerate", "-m", "drop stray index", "--dir", db.toString());

        assertThat(agree.status()).as(agree.err()).isZero();
        assertThat(agree.out()).contains("models and database agree");
        assertThat(differ.status()).isEqualTo(Main.FAILED);
        assertThat(differ.out()).contains("1 difference(s)", "drop index ix_llms_display_name");
        assertThat(generated.status()).as(generated.err()).isZero();
        try (var files = Files.list(db.resolve("migration"))) {
            assertThat(Files.readString(files.findFirst().orElseThrow())).contains("DROP INDEX ix_llms_display_name;");
        }
    }

    @Test
    void autogenerateOnTheUnchangedProjectWritesNothing() throws Exception {
        eryao("migrate");
        Path db = TestDatabase.temporaryDirectory();
        Files.createDirectories(db.resolve("migration"));

        Result result = eryao("revision", "--autogenerate", "-m", "nothing to do", "--dir", db.toString());

        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out()).contains("no changes: the models and the database agree; nothing written");
        try (var files = Files.list(db.resolve("migration"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void failuresExitOneWithOneLineAndUsageMistakesExitTwo() {
        Result unknown = eryao("downgrade", "20000101_0001");

        assertThat(unknown.status()).isEqualTo(Main.FAILED);
        assertThat(unknown.err().lines()).containsExactly("eryao: unknown revision 20000101_0001");
        assertThat(eryao("downgrade").status()).isEqualTo(Main.USAGE);
        assertThat(eryao("migrate", "--bogus").status()).isEqualTo(Main.USAGE);
    }
}
