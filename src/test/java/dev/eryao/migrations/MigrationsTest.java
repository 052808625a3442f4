package dev.eryao.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.DatabaseSettings;
import dev.eryao.core.db.Database;
import dev.eryao.support.CatalogSnapshot;
import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each test gets a database of its own on the suite's server, so schema changes stay there. */
class MigrationsTest {
    /**
     * Revisions whose every step needs a superuser (revoking pg_catalog functions from PUBLIC): as
     * Supabase's non-superuser postgres they only warn, and change nothing.
     */
    private static final Set<String> ONLY_A_SUPERUSER_CHANGES = Set.of("20261201_0001");

    private final TestDatabase server = TestDatabase.get();
    private final List<Database> opened = new ArrayList<>();
    private final List<String> progress = new ArrayList<>();

    private Database freshDatabase() {
        Database database = server.freshDatabase();
        opened.add(database);
        return database;
    }

    private Migrations migrations(Database database, String... extraRoots) {
        List<String> roots = new ArrayList<>(List.of(RevisionCatalog.DEFAULT_ROOT));
        for (String root : extraRoots) {
            roots.add("db/testing/" + root);
        }
        return new Migrations(database, RevisionCatalog.load(roots), progress::add);
    }

    @AfterEach
    void closeDatabases() {
        opened.forEach(Database::close);
    }

    @Test
    void everyRevisionRoundTripsUpDownUpWithAnIdenticalCatalog() {
        Database database = freshDatabase();
        Migrations migrations = migrations(database);
        List<String> previous = CatalogSnapshot.of(database.dataSource());
        for (Revision revision : migrations.catalog().all()) {
            migrations.migrate(revision.id());
            List<String> afterUp = CatalogSnapshot.of(database.dataSource());
            if (server.supabaseLayout() && ONLY_A_SUPERUSER_CHANGES.contains(revision.id())) {
                assertThat(afterUp)
                        .as("upgrade of %s without a superuser", revision.id())
                        .isEqualTo(previous);
            } else {
                assertThat(afterUp)
                        .as("upgrade of %s changes the schema", revision.id())
                        .isNotEqualTo(previous);
            }

            assertThat(migrations.downgrade("-1")).extracting(Revision::id).containsExactly(revision.id());
            assertThat(CatalogSnapshot.of(database.dataSource()))
                    .as("downgrade of %s restores the catalog exactly", revision.id())
                    .isEqualTo(previous);

            migrations.migrate(revision.id());
            assertThat(CatalogSnapshot.of(database.dataSource()))
                    .as("upgrading %s again gives the same catalog", revision.id())
                    .isEqualTo(afterUp);
            assertThat(migrations.current()).isEqualTo(revision.id());
            previous = afterUp;
        }
    }

    @Test
    void downgradeToBaseThenMigrateGivesTheSchemaOfAFreshMigrate() {
        Database fresh = freshDatabase();
        migrations(fresh).migrate();
        Database cycled = freshDatabase();
        Migrations migrations = migrations(cycled);
        migrations.migrate();

        List<Revision> reverted = migrations.downgrade("base");
        assertThat(migrations.current()).isEqualTo("base");
        assertThat(CatalogSnapshot.of(cycled.dataSource()))
                .as("base is an empty application schema")
                .isEqualTo(CatalogSnapshot.of(freshDatabase().dataSource()));
        migrations.migrate();

        assertThat(reverted)
                .extracting(Revision::id)
                .containsExactlyElementsOf(migrations.catalog().all().stream()
                        .map(Revision::id)
                        .toList()
                        .reversed());
        assertThat(CatalogSnapshot.of(cycled.dataSource())).isEqualTo(CatalogSnapshot.of(fresh.dataSource()));
        assertThat(progress)
                .anyMatch(line -> line.matches("reverting 20260411_0001 initial_llm_schema \\.\\.\\. \\d+ ms"));
    }

    @Test
    void aFailingRevisionLeavesTheSchemaAsItWasAndTheNextMigrateResumesFromThere() {
        Database database = freshDatabase();
        migrations(database).migrate();
        List<String> atHead = CatalogSnapshot.of(database.dataSource());
        String head = migrations(database).current();

        assertThatThrownBy(() -> migrations(database, "failing").migrate())
                .isInstanceOf(MigrationFailedException.class)
                .hasMessageStartingWith("revision 20991231_0001 deliberately_failing failed and was rolled back")
                .hasMessageContaining("division by zero");
        assertThat(CatalogSnapshot.of(database.dataSource())).isEqualTo(atHead);
        assertThat(migrations(database).current()).isEqualTo(head);

        assertThat(migrations(database, "fixed").migrate().migrationsExecuted).isEqualTo(1);
        assertThat(migrations(database, "fixed").current()).isEqualTo("20991231_0001");
    }

    @Test
    void twoMigratesAtOnceApplyEachRevisionExactlyOnceAndBothSucceed() throws Exception {
        Database first = freshDatabase();
        Database second = Database.open(server.settings().withDatabase(first.settings()));
        opened.add(second);
        CountDownLatch start = new CountDownLatch(1);
        Callable<Integer> migrateFirst = () -> {
            start.await();
            return migrations(first).migrate().migrationsExecuted;
        };
        Callable<Integer> migrateSecond = () -> {
            start.await();
            return migrations(second).migrate().migrationsExecuted;
        };
        int applied;
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<Integer> a = pool.submit(migrateFirst);
            Future<Integer> b = pool.submit(migrateSecond);
            start.countDown();
            applied = a.get() + b.get();
        }

        int revisions = migrations(first).catalog().all().size();
        assertThat(applied).isEqualTo(revisions);
        assertThat(historyRowsPerVersion(first))
                .hasSize(revisions)
                .allSatisfy((version, rows) -> assertThat(rows).isEqualTo(1));
    }

    @Test
    void aRevisionEditedAfterItWasAppliedIsReportedInsteadOfIgnored() {
        Database database = freshDatabase();
        migrations(database, "edited-v1").migrate();

        assertThatThrownBy(() -> migrations(database, "edited-v2").migrate())
                .isInstanceOf(MigrationFailedException.class)
                .hasMessageContaining("revision 20991231_0002")
                .hasMessageContaining("checksum");
        assertThat(migrations(database, "edited-v2").history())
                .filteredOn(entry -> entry.id().equals("20991231_0002"))
                .singleElement()
                .extracting(HistoryEntry::state)
                .isEqualTo("edited");
    }

    @Test
    void downgradeRefusesBeforeTouchingAnythingWhenARevisionHasNoDowngrade() {
        Database database = freshDatabase();
        Migrations migrations = migrations(database, "no-downgrade");
        migrations.migrate();
        List<String> before = CatalogSnapshot.of(database.dataSource());

        assertThatThrownBy(() -> migrations.downgrade("base"))
                .isInstanceOf(MigrationFailedException.class)
                .hasMessageContaining("20991231_0003 without_downgrade has no downgrade");
        assertThat(CatalogSnapshot.of(database.dataSource())).isEqualTo(before);
        assertThat(migrations.current()).isEqualTo("20991231_0003");
    }

    @Test
    void downgradeTakesTheLockFlywayHoldsWhileItMigrates() {
        Database database = freshDatabase();

        assertThat(migrations(database, "lock-check").migrate().migrationsExecuted)
                .as("the lock-check revision asserts Flyway holds MigrationLock.KEY")
                .isEqualTo(migrations(database).catalog().all().size() + 1);
    }

    @Test
    void stampRecordsRevisionsAsAppliedWithoutRunningThemAndFlywayAcceptsTheRows() {
        Database database = freshDatabase();
        Migrations migrations = migrations(database);
        migrations.migrate("20260411_0001");
        migrations.downgrade("base");
        migrations.migrate("20260411_0002");

        migrations.stamp("20260411_0003");

        assertThat(migrations.current()).isEqualTo("20260411_0003");
        assertThat(migrations.history())
                .filteredOn(HistoryEntry::applied)
                .extracting(HistoryEntry::state)
                .containsOnly("applied");
        assertThat(CatalogSnapshot.of(database.dataSource())).noneMatch(line -> line.startsWith("table points_ledger"));
        // Up to a revision that needs nothing the stamped one would have created (later ones alter its tables).
        String upTo = "20261124_0002";
        assertThat(migrations.migrate(upTo).migrationsExecuted)
                .as("only revisions after the stamp run")
                .isEqualTo(migrations.catalog().all().stream()
                        .filter(r -> r.id().compareTo("20260411_0003") > 0 && r.id().compareTo(upTo) <= 0)
                        .count());
    }

    @Test
    void theMigrationTimeoutStopsAStatementThatRunsTooLong() {
        Database database = freshDatabase();
        DatabaseSettings quick = database.settings();
        Database impatient = Database.open(server.settings()
                .withDatabase(new DatabaseSettings(
                        quick.host(),
                        quick.port(),
                        quick.name(),
                        quick.user(),
                        quick.password(),
                        quick.sslMode(),
                        1,
                        quick.poolMode(),
                        quick.connectTimeout(),
                        quick.statementTimeout(),
                        Duration.ofSeconds(1))));
        opened.add(impatient);

        assertThatThrownBy(() -> migrations(impatient, "slow").migrate())
                .isInstanceOf(MigrationFailedException.class)
                .hasMessageContaining("20991231_0005 slow failed")
                .hasMessageContaining("statement timeout");
        assertThat(migrations(impatient).current())
                .as("the revisions before it were applied")
                .isEqualTo(migrations(impatient).catalog().head().orElseThrow().id());
    }

    @Test
    void anUnknownTargetIsRefused() {
        Database database = freshDatabase();
        Migrations migrations = migrations(database);

        assertThatThrownBy(() -> migrations.migrate("20000101_0001"))
                .hasMessageStartingWith("unknown revision 20000101_0001");
        assertThatThrownBy(() -> migrations.downgrade("-1")).hasMessageContaining("0 applied");
        assertThat(migrations.current()).isEqualTo("base");
    }

    @Test
    void checksumsComputedFromTheFilesAreTheOnesFlywayRecords() throws Exception {
        Database database = freshDatabase();
        Migrations migrations = migrations(database);
        migrations.migrate();

        Map<String, Integer> recorded;
        try (Connection connection = database.dataSource().getConnection()) {
            recorded = HistoryTable.applied(connection).stream()
                    .collect(Collectors.toMap(HistoryTable.Applied::id, HistoryTable.Applied::checksum));
        }
        assertThat(recorded)
                .isEqualTo(migrations.catalog().all().stream()
                        .collect(Collectors.toMap(Revision::id, Revision::checksum)));
    }

    private static Map<String, Integer> historyRowsPerVersion(Database database) throws Exception {
        try (Connection connection = database.dataSource().getConnection();
                Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery(
                        "SELECT version, count(*) FROM flyway_schema_history WHERE version IS NOT NULL GROUP BY version")) {
            Map<String, Integer> counts = new java.util.HashMap<>();
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getInt(2));
            }
            connection.rollback();
            return counts;
        }
    }
}
