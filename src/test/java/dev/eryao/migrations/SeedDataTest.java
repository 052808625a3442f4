package dev.eryao.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.db.Database;
import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SeedDataTest {
    private final List<Database> opened = new ArrayList<>();
    private Database database;

    @BeforeEach
    void migratedDatabaseOfItsOwn() {
        database = TestDatabase.get().freshDatabase();
        opened.add(database);
        new Migrations(database, line -> {}).migrate();
    }

    @AfterEach
    void closeDatabases() {
        opened.forEach(Database::close);
    }

    @Test
    void theCatalogSeedsRealProvidersAndALocalModelAndRunningItAgainChangesNothing() throws Exception {
        assertThat(new SeedData(database, line -> {}).apply()).isEqualTo(3);
        List<String> demoAfterFirst = rows("SELECT name || ' ' || url || ' ' || allowed_tools::text || ' '"
                + " || approval_tools::text || ' ' || price_per_call || ' ' || updated_at FROM mcp_server");
        List<String> afterFirst = rows(
                "SELECT f.name || '/' || l.model_code || ' ' || l.request_url || ' '"
                        + " || l.input_price_per_1k || ' ' || l.updated_at FROM llms l JOIN llm_factory f ON f.id = l.factory_id");

        List<String> progress = new ArrayList<>();
        assertThat(new SeedData(database, progress::add).apply()).isZero();
        assertThat(progress)
                .containsExactly(
                        "seed 0001_llm_catalog unchanged",
                        "seed 0002_local_model unchanged",
                        "seed 0003_demo_mcp_server unchanged");
        execute("DELETE FROM seed_data_history"); // forget it ran: the seed's upserts alone must change nothing
        assertThat(new SeedData(database, line -> {}).apply()).isEqualTo(3);

        assertThat(afterFirst)
                .hasSizeGreaterThanOrEqualTo(6)
                .anyMatch(row -> row.startsWith("openai/gpt-4o-mini https://api.openai.com/v1/chat/completions"))
                .anyMatch(row -> row.startsWith("local/llama3.2 http://127.0.0.1:11434/v1/chat/completions 0"));
        assertThat(
                        rows(
                                "SELECT f.name || '/' || l.model_code || ' ' || l.request_url || ' '"
                                        + " || l.input_price_per_1k || ' ' || l.updated_at FROM llms l JOIN llm_factory f ON f.id = l.factory_id"))
                .containsExactlyInAnyOrderElementsOf(afterFirst);
        assertThat(demoAfterFirst)
                .singleElement()
                .asString()
                .startsWith("demo http://127.0.0.1:11435/mcp {*} {add} 0 ");
        assertThat(rows("SELECT name || ' ' || url || ' ' || allowed_tools::text || ' '"
                        + " || approval_tools::text || ' ' || price_per_call || ' ' || updated_at FROM mcp_server"))
                .isEqualTo(demoAfterFirst);
    }

    @Test
    void anEditedSeedRunsAgainAndUpdatesItsRowsInPlace() throws Exception {
        assertThat(new SeedData(database, "db/testing/seed-v1", line -> {}).apply())
                .isEqualTo(1);
        assertThat(new SeedData(database, "db/testing/seed-v1", line -> {}).apply())
                .isZero();

        assertThat(new SeedData(database, "db/testing/seed-v2", line -> {}).apply())
                .isEqualTo(1);

        assertThat(rows("SELECT model_code || ' ' || input_price_per_1k FROM llms WHERE model_code = 'seed-model'"))
                .containsExactly("seed-model 2.0000");
    }

    @Test
    void seedsNeedTheSchemaFirst() {
        Database empty = TestDatabase.get().freshDatabase();
        opened.add(empty);

        assertThatThrownBy(() -> new SeedData(empty, line -> {}).apply())
                .isInstanceOf(MigrationFailedException.class)
                .hasMessageContaining("run `eryao migrate` (or `eryao bootstrap`) first");
    }

    private List<String> rows(String query) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection connection = database.dataSource().getConnection();
                Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery(query)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            connection.rollback();
        }
        return values;
    }

    private void execute(String statement) throws Exception {
        try (Connection connection = database.dataSource().getConnection();
                Statement sql = connection.createStatement()) {
            sql.execute(statement);
            connection.commit();
        }
    }
}
