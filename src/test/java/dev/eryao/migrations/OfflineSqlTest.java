package dev.eryao.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.db.Database;
import dev.eryao.support.CatalogSnapshot;
import dev.eryao.support.Psql;
import dev.eryao.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OfflineSqlTest {
    private final TestDatabase server = TestDatabase.get();
    private final RevisionCatalog catalog = RevisionCatalog.load();
    private final List<Database> opened = new ArrayList<>();

    private Database freshDatabase() {
        Database database = server.freshDatabase();
        opened.add(database);
        return database;
    }

    @AfterEach
    void closeDatabases() {
        opened.forEach(Database::close);
    }

    @Test
    void theUpgradeScriptAppliedByPsqlGivesTheSchemaMigrateGivesAndFlywayCarriesOnFromIt() throws Exception {
        Database migrated = freshDatabase();
        new Migrations(migrated, catalog, line -> {}).migrate();
        Database offline = freshDatabase();

        Psql.apply(offline.settings(), OfflineSql.upgrade(catalog, "base", null));

        assertThat(CatalogSnapshot.of(offline.dataSource())).isEqualTo(CatalogSnapshot.of(migrated.dataSource()));
        Migrations afterwards = new Migrations(offline, catalog, line -> {});
        assertThat(afterwards.history()).extracting(HistoryEntry::state).containsOnly("applied");
        assertThat(afterwards.migrate().migrationsExecuted)
                .as("Flyway accepts the rows the script wrote")
                .isZero();
    }

    @Test
    void theDowngradeScriptAppliedByPsqlUndoesWhatMigrateDid() throws Exception {
        Database database = freshDatabase();
        Migrations migrations = new Migrations(database, catalog, line -> {});
        migrations.migrate("20260411_0001");
        List<String> atFirst = CatalogSnapshot.of(database.dataSource());
        migrations.migrate();

        Psql.apply(database.settings(), OfflineSql.downgrade(catalog, null, "20260411_0001"));

        assertThat(CatalogSnapshot.of(database.dataSource())).isEqualTo(atFirst);
        assertThat(migrations.current()).isEqualTo("20260411_0001");
    }

    @Test
    void aPartialUpgradeScriptStartsAfterFromAndStopsAtTarget() {
        String script = OfflineSql.upgrade(catalog, "20260411_0001", "20260411_0003");

        assertThat(script)
                .doesNotContain("-- applying 20260411_0001")
                .contains("-- applying 20260411_0002 agent_chat_schema", "-- applying 20260411_0003 points_ledger")
                .doesNotContain("-- applying 20261124_0001");
    }

    @Test
    void offlineScriptsRefuseWhatOnlineCommandsRefuse() {
        assertThatThrownBy(() -> OfflineSql.upgrade(catalog, "nope", null)).hasMessage("unknown revision nope");
        RevisionCatalog withoutDowngrade = RevisionCatalog.load(List.of("db", "db/testing/no-downgrade"));
        assertThatThrownBy(() -> OfflineSql.downgrade(withoutDowngrade, null, "base"))
                .hasMessageContaining("has no downgrade");
    }
}
