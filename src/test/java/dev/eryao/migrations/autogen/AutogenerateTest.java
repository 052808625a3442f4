package dev.eryao.migrations.autogen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.Advisor;
import dev.eryao.migrations.MigrationFailedException;
import dev.eryao.migrations.Migrations;
import dev.eryao.migrations.RevisionWriter;
import dev.eryao.migrations.autogen.fixtures.ProbeAddColumn;
import dev.eryao.migrations.autogen.fixtures.ProbeDropColumn;
import dev.eryao.migrations.autogen.fixtures.ProbeForeignKeys;
import dev.eryao.migrations.autogen.fixtures.ProbeIndexes;
import dev.eryao.migrations.autogen.fixtures.ProbeNullabilityAndDefault;
import dev.eryao.migrations.autogen.fixtures.ProbeRenameColumn;
import dev.eryao.migrations.autogen.fixtures.ProbeRenamedTable;
import dev.eryao.migrations.autogen.fixtures.ProbeTypes;
import dev.eryao.migrations.autogen.fixtures.ProbeV1;
import dev.eryao.models.Models;
import dev.eryao.support.CatalogSnapshot;
import dev.eryao.support.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * For each kind of change: the models change, autogenerate writes the difference, its upgrade is
 * applied, check is clean, its downgrade is applied, and the catalog equals the one before.
 * Each test runs on a database of its own, migrated to head with the probe model's table added.
 */
class AutogenerateTest {
    private Database database;
    private Migrations migrations;
    private List<String> beforeChange;

    private static List<Class<?>> with(Class<?> probe) {
        List<Class<?>> models = new ArrayList<>(Models.ALL);
        models.add(probe);
        return models;
    }

    private List<Change> compare(List<Class<?>> models) {
        return new Autogenerate(database, migrations, models).compare();
    }

    @BeforeEach
    void databaseAtHeadWithTheProbeTable() throws Exception {
        database = TestDatabase.get().freshDatabase();
        migrations = new Migrations(database, line -> {});
        migrations.migrate();
        List<Change> create = compare(with(ProbeV1.class));
        assertThat(create)
                .extracting(Change::summary)
                .containsExactly(
                        "create table autogen_probe",
                        "create index ix_autogen_probe_llm_id",
                        "create index ix_autogen_probe_name",
                        "add foreign key fk_autogen_probe_llm_id");
        execute(Autogenerate.upgradeScript(create));
        assertThat(compare(with(ProbeV1.class)))
                .as("check is clean after the upgrade")
                .isEmpty();
        execute("INSERT INTO autogen_probe (name, note, amount) VALUES ('a row', 'kept', 1)");
        beforeChange = CatalogSnapshot.of(database.dataSource());
    }

    @AfterEach
    void close() {
        database.close();
    }

    /** Applies the change both ways and returns it. */
    private List<Change> roundTrip(Class<?> changed, String... expectedSummaries) throws Exception {
        List<Change> changes = compare(with(changed));
        assertThat(changes).extracting(Change::summary).containsExactlyInAnyOrder(expectedSummaries);

        execute(Autogenerate.upgradeScript(changes));
        assertThat(compare(with(changed)))
                .as("check is clean once the upgrade is applied")
                .isEmpty();
        execute(Autogenerate.downgradeScript(changes));
        assertThat(CatalogSnapshot.of(database.dataSource()))
                .as("the downgrade restores the catalog exactly")
                .isEqualTo(beforeChange);
        assertThat(compare(with(ProbeV1.class))).isEmpty();
        return changes;
    }

    @Test
    void anUnchangedProjectHasNothingToWriteAndWritesNothing() throws Exception {
        Path dir = TestDatabase.temporaryDirectory();
        Files.createDirectories(dir.resolve("migration"));

        assertThat(compare(Models.ALL).stream().map(Change::summary))
                .as("only the probe table, which the project's models do not have")
                .containsExactlyInAnyOrder(
                        "drop foreign key fk_autogen_probe_llm_id",
                        "drop index ix_autogen_probe_name",
                        "drop index ix_autogen_probe_llm_id",
                        "drop table autogen_probe");
        assertThat(new Autogenerate(database, migrations, with(ProbeV1.class))
                        .writeRevision("nothing", new RevisionWriter(dir, Clock.systemUTC())))
                .isEmpty();
        try (Stream<Path> files = Files.list(dir.resolve("migration"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void anAddedTableIsCreatedWithRlsItsIndexesAndForeignKeysAndDroppedByTheDowngrade() throws Exception {
        List<Change> drop = compare(Models.ALL);
        execute(Autogenerate.upgradeScript(drop));
        assertThat(CatalogSnapshot.of(database.dataSource())).noneMatch(line -> line.contains("autogen_probe"));

        List<Change> create = compare(with(ProbeV1.class));
        assertThat(Autogenerate.upgradeScript(create))
                .contains(
                        "CREATE TABLE autogen_probe (",
                        "ALTER TABLE autogen_probe ENABLE ROW LEVEL SECURITY;",
                        "CREATE UNIQUE INDEX ix_autogen_probe_name ON autogen_probe (name) WHERE deleted_at IS NULL;",
                        "ALTER TABLE autogen_probe ADD CONSTRAINT fk_autogen_probe_llm_id FOREIGN KEY (llm_id) REFERENCES llms (id);",
                        "CREATE INDEX ix_autogen_probe_llm_id ON autogen_probe (llm_id);",
                        "CREATE POLICY autogen_probe_reader ON autogen_probe FOR SELECT TO eryao_reader USING (true);",
                        "REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON autogen_probe FROM anon, authenticated;");
        execute(Autogenerate.upgradeScript(create));
        assertThat(compare(with(ProbeV1.class))).isEmpty();
        try (Connection connection = database.dataSource().getConnection()) {
            assertThat(Advisor.findings(connection))
                    .as("what autogenerate writes passes Supabase's advisor")
                    .isEmpty();
        }
        assertThat(CatalogSnapshot.of(database.dataSource()))
                .contains("table autogen_probe rls=true force=false comment=");
    }

    @Test
    void aDroppedTableIsMarkedForReviewAndTheDowngradeRecreatesIt() throws Exception {
        List<Change> drop = compare(Models.ALL);

        assertThat(drop)
                .filteredOn(Change::dangerous)
                .singleElement()
                .satisfies(change -> assertThat(change.review())
                        .singleElement()
                        .asString()
                        .contains("drops table autogen_probe, which has rows"));
        execute(Autogenerate.upgradeScript(drop));
        execute(Autogenerate.downgradeScript(drop));
        assertThat(CatalogSnapshot.of(database.dataSource())).isEqualTo(beforeChange);
    }

    @Test
    void anAddedColumn() throws Exception {
        List<Change> changes = roundTrip(ProbeAddColumn.class, "add column autogen_probe.extra");

        assertThat(changes.getFirst().upgrade())
                .isEqualTo(
                        "ALTER TABLE autogen_probe ADD COLUMN extra character varying(20) NOT NULL DEFAULT 'none'::character varying;");
    }

    @Test
    void aDroppedColumnIsMarkedForReview() throws Exception {
        List<Change> changes = roundTrip(ProbeDropColumn.class, "drop column autogen_probe.note");

        assertThat(changes.getFirst().review())
                .singleElement()
                .asString()
                .contains("drops column autogen_probe.note and its data");
    }

    @Test
    void aRenamedColumnIsDropAndAddWithAHintToRename() throws Exception {
        List<Change> changes =
                roundTrip(ProbeRenameColumn.class, "add column autogen_probe.remark", "drop column autogen_probe.note");

        assertThat(Autogenerate.upgradeScript(changes))
                .contains("-- NOTE: columns note of autogen_probe are dropped and remark is added: if it is a rename,"
                        + " use ALTER TABLE autogen_probe RENAME COLUMN ... TO remark instead");
    }

    @Test
    void typeChangesAndNarrowingOnesMarkedForReview() throws Exception {
        List<Change> changes = roundTrip(
                ProbeTypes.class,
                "change type of autogen_probe.name from character varying(50) to character varying(30)",
                "change type of autogen_probe.amount from integer to bigint");

        assertThat(changes)
                .filteredOn(Change::dangerous)
                .extracting(Change::summary)
                .containsExactly(
                        "change type of autogen_probe.name from character varying(50) to character varying(30)");
    }

    @Test
    void nullabilityAndServerDefaultChangesWithSetNotNullOnRowsMarked() throws Exception {
        List<Change> changes = roundTrip(
                ProbeNullabilityAndDefault.class,
                "set not null on autogen_probe.note",
                "change default of autogen_probe.amount");

        assertThat(changes)
                .filteredOn(Change::dangerous)
                .extracting(Change::summary)
                .containsExactly("set not null on autogen_probe.note");
        assertThat(Autogenerate.downgradeScript(changes))
                .contains(
                        "ALTER TABLE autogen_probe ALTER COLUMN amount DROP DEFAULT;",
                        "ALTER TABLE autogen_probe ALTER COLUMN note DROP NOT NULL;");
    }

    @Test
    void indexesAddedRemovedAndChangedPartialOnesIncluded() throws Exception {
        List<Change> changes = roundTrip(
                ProbeIndexes.class,
                "drop index ix_autogen_probe_name",
                "create index ix_autogen_probe_name",
                "create index ix_autogen_probe_amount_created_at");

        assertThat(Autogenerate.upgradeScript(changes))
                .contains(
                        "CREATE UNIQUE INDEX ix_autogen_probe_name ON autogen_probe (name);",
                        "CREATE INDEX ix_autogen_probe_amount_created_at ON autogen_probe (amount, created_at DESC)"
                                + " WHERE amount IS NOT NULL AND deleted_at IS NULL;");
    }

    @Test
    void foreignKeysAddedAndRemoved() throws Exception {
        roundTrip(
                ProbeForeignKeys.class,
                "drop foreign key fk_autogen_probe_llm_id",
                "add column autogen_probe.session_id",
                "add foreign key fk_autogen_probe_session_id",
                "drop index ix_autogen_probe_llm_id",
                "create index ix_autogen_probe_session_id");
    }

    @Test
    void aRenamedTableIsDropAndCreateWithAHintToRename() throws Exception {
        List<Change> changes = compare(List.of(Models.ALL, List.<Class<?>>of(ProbeRenamedTable.class)).stream()
                .flatMap(List::stream)
                .toList());

        assertThat(Autogenerate.upgradeScript(changes))
                .contains(
                        "-- NOTE: tables autogen_probe are dropped in this revision: if autogen_probe_renamed is one of them renamed");
        execute(Autogenerate.upgradeScript(changes));
        execute(Autogenerate.downgradeScript(changes));
        assertThat(CatalogSnapshot.of(database.dataSource())).isEqualTo(beforeChange);
    }

    @Test
    void theWrittenRevisionIsOrdinarySqlThatAppliesBothWays() throws Exception {
        Path dir = TestDatabase.temporaryDirectory();
        Files.createDirectories(dir.resolve("migration"));

        RevisionWriter.Written written = new Autogenerate(database, migrations, with(ProbeRenameColumn.class))
                .writeRevision("rename note to remark", new RevisionWriter(dir, Clock.systemUTC()))
                .orElseThrow();

        String upgrade = Files.readString(written.upgrade());
        assertThat(upgrade)
                .startsWith("-- " + written.id() + " rename_note_to_remark: rename note to remark\n")
                .contains("-- REVIEW: drops column autogen_probe.note");
        execute(upgrade);
        assertThat(compare(with(ProbeRenameColumn.class))).isEmpty();
        execute(Files.readString(written.downgrade()));
        assertThat(CatalogSnapshot.of(database.dataSource())).isEqualTo(beforeChange);
    }

    @Test
    void autogenerateRefusesADatabaseThatIsNotAtHead() {
        migrations.downgrade("-1");

        assertThatThrownBy(() -> compare(Models.ALL))
                .isInstanceOf(MigrationFailedException.class)
                .hasMessageContaining("not at head");
    }

    private void execute(String sql) throws Exception {
        if (sql.isBlank()) {
            return;
        }
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
            connection.commit();
        }
    }
}
