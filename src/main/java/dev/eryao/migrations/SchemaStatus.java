package dev.eryao.migrations;

import dev.eryao.core.db.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * Read-only: is the database at the newest revision this build carries? It changes nothing and
 * takes no lock, and uses a pooled connection, so it also runs through a transaction-mode pooler;
 * the API's readiness check asks it.
 */
public final class SchemaStatus {
    private final DataSource dataSource;
    private final RevisionCatalog catalog;

    public SchemaStatus(Database database) {
        this.dataSource = database.dataSource();
        this.catalog = RevisionCatalog.load();
    }

    /**
     * @param atHead  every revision applied as it is in this build: none pending, edited or unknown
     * @param current the newest applied revision, or {@code base}
     */
    public record State(boolean atHead, String current) {}

    public State read() {
        List<HistoryEntry> history;
        try (Connection connection = dataSource.getConnection()) {
            history = HistoryEntry.merge(catalog, HistoryTable.applied(connection));
            connection.rollback();
        } catch (SQLException e) {
            throw new MigrationFailedException("cannot read the revision history: " + e.getMessage(), e);
        }
        List<HistoryEntry> applied =
                history.stream().filter(HistoryEntry::applied).toList();
        boolean atHead = history.stream().allMatch(entry -> "applied".equals(entry.state()));
        return new State(atHead, applied.isEmpty() ? "base" : applied.getLast().id());
    }
}
