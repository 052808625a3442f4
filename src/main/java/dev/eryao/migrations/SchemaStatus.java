package dev.eryao.migrations;

import dev.eryao.core.db.Database;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;

/**
 * Read-only: is the database at the newest revision this build carries? Unlike {@link Migrations}
 * it changes nothing and takes no lock, so it also runs through a transaction-mode pooler; the
 * API's readiness check asks it.
 */
public final class SchemaStatus {
    private static final int STATEMENT_TIMEOUT_MS = 5_000;

    private final Flyway flyway;

    public SchemaStatus(Database database) {
        this.flyway = Flyway.configure()
                .dataSource(database.unpooledDataSource(STATEMENT_TIMEOUT_MS))
                .table(Migrations.HISTORY_TABLE)
                .locations(Migrations.LOCATION)
                .load();
    }

    /** True when no revision is pending and none failed. */
    public boolean atHead() {
        MigrationInfoService info = flyway.info();
        if (info.pending().length > 0 || info.current() == null) {
            return false;
        }
        for (MigrationInfo applied : info.applied()) {
            if (applied.getState().isFailed()) {
                return false;
            }
        }
        return true;
    }

    /** The newest applied revision ({@code 20260411_0003}), or "base". */
    public String current() {
        MigrationInfo current = flyway.info().current();
        return current == null ? "base" : Migrations.revisionId(current);
    }
}
