package dev.eryao.migrations;

import dev.eryao.core.config.PoolMode;
import dev.eryao.core.db.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.internal.exception.FlywayMigrateException;

/**
 * Applies the schema revisions in {@code db/migration} with Flyway, which records them, checks
 * their checksums and holds its lock while it works. Revisions are named like Alembic's:
 * {@code V20260411_0001__initial_llm_schema.sql} is revision {@code 20260411_0001}; each one's
 * downgrade lives beside it in {@code db/downgrade} under the same name.
 *
 * <p>Refused over a transaction-mode pooler: Flyway's lock and DDL need one session throughout.
 */
public final class Migrations {
    public static final String LOCATION = "classpath:db/migration";

    /** Flyway's history table; in {@code public}, beside the tables it describes. */
    public static final String HISTORY_TABLE = "flyway_schema_history";

    private final Flyway flyway;
    private final DataSource dataSource;

    public Migrations(Database database, Consumer<String> progress) {
        if (database.settings().poolMode() == PoolMode.TRANSACTION) {
            throw new IllegalStateException("migrations cannot run through a transaction-mode pooler ("
                    + database.settings().describe() + "): connect directly or through the session pooler"
                    + " on port " + 5432 + " and set ERYAO_DATABASE__POOL_MODE=session");
        }
        int timeoutMs = database.settings().migrationTimeoutSeconds() * 1000;
        this.dataSource = database.unpooledDataSource(timeoutMs);
        this.flyway = Flyway.configure()
                .dataSource(dataSource)
                .table(HISTORY_TABLE)
                .locations(LOCATION)
                .cleanDisabled(true)
                .validateMigrationNaming(true)
                .callbacks(new ProgressReporter(progress))
                .load();
    }

    /**
     * Applies every pending revision; each runs in its own transaction.
     *
     * @throws MigrationFailedException naming the revision that failed; it left nothing behind
     */
    public MigrateResult migrate() {
        try {
            MigrateResult result = flyway.migrate();
            protectHistoryTable();
            return result;
        } catch (FlywayMigrateException e) {
            MigrationInfo failed = e.getMigration();
            String revision = failed == null ? "a revision" : "revision " + revisionId(failed) + " " + slug(failed);
            throw new MigrationFailedException(revision + " failed and was rolled back: " + rootMessage(e), e);
        }
    }

    /**
     * Supabase serves {@code public} through its API, so Flyway's history table gets RLS with no
     * policy: invisible to anon and authenticated. Done here, after Flyway released its lock,
     * because a revision cannot alter the table Flyway holds while it applies that revision.
     */
    private void protectHistoryTable() {
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement()) {
            // Only when it is off: ALTER TABLE takes an exclusive lock even when nothing changes.
            statement.execute("DO $$ BEGIN IF NOT (SELECT relrowsecurity FROM pg_class WHERE oid = '"
                    + HISTORY_TABLE + "'::regclass) THEN ALTER TABLE " + HISTORY_TABLE
                    + " ENABLE ROW LEVEL SECURITY; END IF; END $$");
        } catch (SQLException e) {
            throw new MigrationFailedException("cannot enable RLS on " + HISTORY_TABLE + ": " + e.getMessage(), e);
        }
    }

    /** The newest applied revision, or "base" when none is. */
    public String current() {
        MigrationInfo current = flyway.info().current();
        return current == null ? "base" : revisionId(current);
    }

    /** {@code 20260411_0001} for Flyway's version {@code 20260411.0001}. */
    static String revisionId(MigrationInfo info) {
        return info.getVersion().getVersion().replace('.', '_');
    }

    static String slug(MigrationInfo info) {
        return info.getDescription().replace(' ', '_');
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage().strip();
    }

    /** Prints {@code applying 20260411_0001 initial_llm_schema ... 38 ms} for each revision. */
    private static final class ProgressReporter implements Callback {
        private final Consumer<String> progress;
        private long started;

        ProgressReporter(Consumer<String> progress) {
            this.progress = progress;
        }

        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.BEFORE_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE;
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            MigrationInfo info = context.getMigrationInfo();
            if (event == Event.BEFORE_EACH_MIGRATE) {
                started = System.nanoTime();
            } else {
                long millis = (System.nanoTime() - started) / 1_000_000;
                progress.accept("applying " + revisionId(info) + " " + slug(info)
                        + " ... " + millis + " ms");
            }
        }

        @Override
        public String getCallbackName() {
            return "eryao-progress";
        }
    }
}
