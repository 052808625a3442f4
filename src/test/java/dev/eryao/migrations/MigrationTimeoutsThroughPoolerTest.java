package dev.eryao.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.DatabaseSettings;
import dev.eryao.core.db.Database;
import dev.eryao.support.OptionsDroppingProxy;
import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The migration timeout, and the bound on the wait for the migration lock, hold through a pooler
 * that drops start-up options as Supabase's does (each test gets a database of its own).
 */
class MigrationTimeoutsThroughPoolerTest {
    private final TestDatabase server = TestDatabase.get();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private OptionsDroppingProxy proxy;
    private Database direct;
    private Database throughProxy;

    @BeforeEach
    void openThroughProxy() throws Exception {
        direct = server.freshDatabase();
        opened.add(direct);
        DatabaseSettings settings = direct.settings();
        proxy = new OptionsDroppingProxy(settings.host(), settings.port());
        opened.add(proxy);
        throughProxy = Database.open(server.settings()
                .withDatabase(settings.at(proxy.host(), proxy.port(), settings.user(), settings.sslMode())
                        .withTimeouts(settings.statementTimeout(), settings.lockTimeout(), Duration.ofSeconds(1))));
        opened.add(throughProxy);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    private Migrations migrations(Database database, String... extraRoots) {
        List<String> roots = new ArrayList<>(List.of(RevisionCatalog.DEFAULT_ROOT));
        for (String root : extraRoots) {
            roots.add("db/testing/" + root);
        }
        return new Migrations(database, RevisionCatalog.load(roots), line -> {});
    }

    @Test
    void aRevisionThatRunsLongerThanTheMigrationTimeoutFails() {
        assertThatThrownBy(() -> migrations(throughProxy, "slow").migrate())
                .isInstanceOf(MigrationFailedException.class)
                .hasMessageContaining("20991231_0005 slow failed")
                .hasMessageContaining("statement timeout");
        assertThat(migrations(throughProxy).current())
                .as("the revisions before it were applied")
                .isEqualTo(
                        migrations(throughProxy).catalog().head().orElseThrow().id());
    }

    @Test
    void theWaitForTheMigrationLockIsBoundedByTheMigrationTimeout() throws Exception {
        Migrations migrations = migrations(throughProxy);
        migrations.migrate();
        String head = migrations.current();
        try (Connection holder = direct.dataSource().getConnection();
                Statement sql = holder.createStatement()) {
            holder.setAutoCommit(true); // advisory locks belong to one database: take it in this test's
            sql.execute("SELECT pg_advisory_lock(" + MigrationLock.KEY + ")"); // as a running schema change holds it

            assertThatThrownBy(() -> migrations.downgrade("-1"))
                    .isInstanceOf(MigrationFailedException.class)
                    .hasMessageContaining("held the migration lock")
                    .hasMessageContaining("ERYAO_DATABASE__MIGRATION_TIMEOUT_SECONDS");
            assertThatThrownBy(() -> migrations(throughProxy, "slow").migrate())
                    .isInstanceOf(MigrationFailedException.class)
                    .hasMessageContaining("held the migration lock");
        }
        assertThat(migrations.current()).as("nothing changed").isEqualTo(head);
    }
}
