package dev.eryao.migrations;

import dev.eryao.core.Causes;
import dev.eryao.core.config.Durations;
import dev.eryao.core.config.PoolMode;
import dev.eryao.core.config.SettingsException;
import dev.eryao.core.db.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.internal.exception.FlywayMigrateException;

/**
 * Schema revisions, Alembic's verbs over Flyway. Flyway does what it does well — applying each
 * revision in its own transaction, recording it, checking checksums, holding its lock — and this
 * class adds what its free edition lacks: downgrade, stamp, history, current and heads.
 *
 * <p>Everything runs on a separate unpooled connection with the migration timeout, set with SQL
 * when it opens (a session pooler drops start-up options); it bounds every statement, every lock a
 * revision waits for, and the wait for the migration lock itself. Changes are refused over a
 * transaction-mode pooler: the lock and the DDL need one session throughout.
 */
public final class Migrations {
    /**
     * Flyway's history table; in {@code public}, beside the tables it describes, where existing
     * deployments have it. Supabase's API serves {@code public}, so it is created closed to the API
     * roles before any revision runs (see {@link HistoryTable#lockSql()}).
     */
    public static final String HISTORY_TABLE = "flyway_schema_history";

    private final Database database;
    private final DataSource dataSource;
    private final RevisionCatalog catalog;
    private final Consumer<String> progress;

    public Migrations(Database database, Consumer<String> progress) {
        this(database, RevisionCatalog.load(), progress);
    }

    public Migrations(Database database, RevisionCatalog catalog, Consumer<String> progress) {
        this.database = database;
        this.dataSource = database.unpooledDataSource(database.settings().migrationTimeout());
        this.catalog = catalog;
        this.progress = progress;
    }

    public RevisionCatalog catalog() {
        return catalog;
    }

    /** Applies every pending revision. */
    public MigrateResult migrate() {
        return migrate(null);
    }

    /**
     * Applies pending revisions up to {@code targetId} (null: head); each in its own transaction.
     *
     * @throws MigrationFailedException naming the revision that failed; it left nothing behind
     */
    public MigrateResult migrate(String targetId) {
        refuseTransactionPooler();
        String target = targetId == null ? null : requireKnown(targetId).flywayVersion();
        Flyway flyway = flyway(target);
        prepare(targetId);
        try {
            return flyway.migrate();
        } catch (FlywayValidateException e) {
            throw new MigrationFailedException(describeInvalid(flyway), e);
        } catch (FlywayMigrateException e) {
            String revision = e.getMigration() == null
                    ? "a revision"
                    : "revision "
                            + Revision.idOfFlywayVersion(
                                    e.getMigration().getVersion().getVersion()) + " "
                            + e.getMigration().getDescription().replace(' ', '_');
            throw new MigrationFailedException(revision + " failed and was rolled back: " + rootMessage(e), e);
        } catch (FlywayException e) {
            if (rootMessage(e).contains("advisory lock")
                    || String.valueOf(e.getMessage()).contains("advisory lock")) {
                throw new MigrationFailedException(
                        "nothing applied: another schema change held the migration lock"
                                + " for longer than ERYAO_DATABASE__MIGRATION_TIMEOUT_SECONDS ("
                                + Durations.seconds(database.settings().migrationTimeout()) + ")",
                        e);
            }
            throw e;
        }
    }

    /** Flyway's lock retries (one a second) for a timeout in seconds; -1, no limit, for 0. */
    static int lockRetries(Duration timeout) {
        return timeout.isZero()
                ? -1
                : Math.toIntExact(timeout.plusNanos(999_999_999).toSeconds());
    }

    /**
     * Runs the downgrade of every applied revision newer than {@code target}, newest first, in one
     * transaction under the migration lock, removing their history rows. Refuses before changing
     * anything if one of them has no downgrade.
     *
     * @param target a revision id, {@code base}, or {@code -N} (N revisions back)
     * @return the revisions reverted, in the order they were
     */
    public List<Revision> downgrade(String target) {
        refuseTransactionPooler();
        return inLockedTransaction("downgrade", connection -> {
            List<String> applied = HistoryTable.applied(connection).stream()
                    .map(HistoryTable.Applied::id)
                    .toList();
            List<Revision> plan = DowngradePlan.revisionsToRevert(catalog, applied, target);
            for (Revision revision : plan) {
                long started = System.nanoTime();
                try (Statement statement = connection.createStatement()) {
                    statement.execute(revision.downgradeSql());
                } catch (SQLException e) {
                    throw new MigrationFailedException(
                            "downgrade of revision " + revision.label() + " failed, so nothing was changed: "
                                    + e.getMessage().strip(),
                            e);
                }
                HistoryTable.delete(connection, revision);
                progress.accept("reverting " + revision.label() + " ... " + millisSince(started) + " ms");
            }
            return plan;
        });
    }

    /**
     * Records the schema as being at {@code target} without running anything: revisions up to it
     * become applied, later ones pending. For databases that already have the schema, such as one
     * the Python stack brought up.
     */
    public void stamp(String target) {
        refuseTransactionPooler();
        Optional<Revision> keep = "base".equals(target) ? Optional.empty() : Optional.of(requireKnown(target));
        inLockedTransaction("stamp", connection -> {
            HistoryTable.createLocked(connection);
            List<String> applied = HistoryTable.applied(connection).stream()
                    .map(HistoryTable.Applied::id)
                    .toList();
            for (Revision revision : catalog.all()) {
                boolean wanted =
                        keep.isPresent() && revision.id().compareTo(keep.get().id()) <= 0;
                if (wanted && !applied.contains(revision.id())) {
                    HistoryTable.insert(connection, revision, 0);
                    progress.accept("stamped " + revision.label() + " as applied");
                } else if (!wanted && applied.contains(revision.id())) {
                    HistoryTable.delete(connection, revision);
                    progress.accept("stamped " + revision.label() + " as pending");
                }
            }
            return null;
        });
    }

    /** The newest applied revision's id, or {@code base}. */
    public String current() {
        List<HistoryEntry> applied =
                history().stream().filter(HistoryEntry::applied).toList();
        return applied.isEmpty() ? "base" : applied.getLast().id();
    }

    /** Every revision, known or only recorded, oldest first, with where it stands. */
    public List<HistoryEntry> history() {
        List<HistoryTable.Applied> applied;
        try (Connection connection = dataSource.getConnection()) {
            applied = HistoryTable.applied(connection);
        } catch (SQLException e) {
            throw new MigrationFailedException("cannot read the revision history: " + e.getMessage(), e);
        }
        return HistoryEntry.merge(catalog, applied);
    }

    private Revision requireKnown(String id) {
        return catalog.find(id)
                .orElseThrow(() -> new MigrationFailedException(
                        "unknown revision " + id + " (known: "
                                + catalog.all().stream().map(Revision::id).collect(Collectors.joining(", ")) + ")",
                        null));
    }

    private void refuseTransactionPooler() {
        if (database.settings().poolMode() == PoolMode.TRANSACTION) {
            throw new SettingsException("migrations cannot run through a transaction-mode pooler ("
                    + database.settings().describe() + "): connect directly or through the session pooler"
                    + " (port 5432) with ERYAO_DATABASE__POOL_MODE=session");
        }
    }

    private Flyway flyway(String targetVersion) {
        var configuration = Flyway.configure()
                .dataSource(dataSource)
                .locations(catalog.flywayLocations())
                .table(HISTORY_TABLE)
                .cleanDisabled(true)
                .validateMigrationNaming(true)
                .callbacks(new ProgressReporter(progress))
                // Flyway tries its lock once a second: as many tries as the timeout has seconds (-1: no limit).
                .lockRetryCount(lockRetries(database.settings().migrationTimeout()));
        if (targetVersion != null) {
            configuration.target(MigrationVersion.fromVersion(targetVersion));
        }
        return configuration.load();
    }

    private interface LockedWork<R> {
        R run(Connection connection) throws SQLException;
    }

    private <R> R inLockedTransaction(String what, LockedWork<R> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                MigrationLock.acquire(connection, database.settings().migrationTimeout());
                R result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new MigrationFailedException(what + " failed, so nothing was changed: " + e.getMessage(), e);
        }
    }

    /**
     * What must be in place before Flyway applies anything, in one transaction under the migration
     * lock: the history table, created (as Flyway would) and closed to Supabase's API roles before
     * any revision runs, so no failure can leave it open to the anon key; and the reader role where
     * this login cannot create it as revision 20261124_0002 would ({@link ReaderRole}).
     */
    private void prepare(String targetId) {
        boolean readerRevisionAhead = targetId == null || targetId.compareTo(ReaderRole.REVISION) >= 0;
        inLockedTransaction("migrate", connection -> {
            HistoryTable.createLocked(connection);
            if (readerRevisionAhead) {
                ReaderRole.createWhereBypassRlsIsOutOfReach(connection);
            }
            return null;
        });
    }

    /** One line per revision Flyway finds invalid, e.g. one edited after it was applied. */
    private static String describeInvalid(Flyway flyway) {
        List<String> problems = new ArrayList<>();
        for (ValidateOutput invalid : flyway.validateWithResult().invalidMigrations) {
            String id = invalid.version == null || invalid.version.isEmpty()
                    ? invalid.filepath
                    : Revision.idOfFlywayVersion(invalid.version);
            String message =
                    invalid.errorDetails.errorMessage.lines().map(String::strip).collect(Collectors.joining(" "));
            problems.add("revision " + id + ": " + message);
        }
        return "nothing applied: the applied revisions do not match the files (" + String.join("; ", problems) + ")";
    }

    static long millisSince(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = Causes.root(error);
        String message =
                root.getMessage() == null ? root.toString() : root.getMessage().strip();
        return message.lines().findFirst().orElse(message); // one line: the database's own words
    }
}
