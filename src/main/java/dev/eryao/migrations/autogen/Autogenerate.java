package dev.eryao.migrations.autogen;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.HistoryEntry;
import dev.eryao.migrations.MigrationFailedException;
import dev.eryao.migrations.Migrations;
import dev.eryao.migrations.RevisionWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * {@code eryao revision --autogenerate} and {@code eryao check}: compares what the models describe
 * with the live database at head, and writes the difference as a revision with an upgrade and the
 * downgrade that restores the database exactly. Reads only: the comparison's probe tables are
 * temporary and rolled back.
 */
public final class Autogenerate {
    /** The migration tools' own tables, which no model describes. */
    public static final Set<String> TOOL_TABLES = Set.of(Migrations.HISTORY_TABLE, "seed_data_history");

    private final Migrations migrations;
    private final DataSource dataSource;
    private final List<Class<?>> models;

    public Autogenerate(Database database, Migrations migrations, List<Class<?>> models) {
        this.migrations = migrations;
        this.dataSource = database.unpooledDataSource(database.settings().migrationTimeout());
        this.models = List.copyOf(models);
    }

    /**
     * The changes that would make the database match the models, in upgrade order; empty when
     * they agree.
     *
     * @throws MigrationFailedException when the database is not at head: a revision still pending
     *                                  would show as a difference and be written twice
     */
    public List<Change> compare() {
        List<String> pending = migrations.history().stream()
                .filter(e -> !e.applied())
                .map(HistoryEntry::id)
                .toList();
        if (!pending.isEmpty()) {
            throw new MigrationFailedException(
                    "the database is not at head (pending: " + String.join(", ", pending)
                            + "): run `eryao migrate` first",
                    null);
        }
        try (Connection connection = dataSource.getConnection()) {
            Shapes.Schema live = CatalogReader.readPublic(connection, TOOL_TABLES);
            Shapes.Schema meant = ModelSchema.read(connection, models);
            return SchemaDiff.between(live, meant);
        } catch (SQLException e) {
            throw new MigrationFailedException("cannot compare the models with the database: " + e.getMessage(), e);
        }
    }

    /** Writes the changes as a new revision, or nothing when there are none. */
    public Optional<RevisionWriter.Written> writeRevision(String message, RevisionWriter writer) {
        List<Change> changes = compare();
        if (changes.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(writer.write(message, upgradeScript(changes), downgradeScript(changes)));
    }

    /** The statements in upgrade order, each under its review marks and notes. */
    public static String upgradeScript(List<Change> changes) {
        return changes.stream()
                .map(change -> annotated(change, change.upgrade()))
                .collect(Collectors.joining("\n\n"));
    }

    /** The inverse statements, in reverse order, so they undo the upgrade step by step. */
    public static String downgradeScript(List<Change> changes) {
        return changes.reversed().stream()
                .map(change -> annotated(change, change.downgrade()))
                .collect(Collectors.joining("\n\n"));
    }

    private static String annotated(Change change, String sql) {
        StringBuilder text = new StringBuilder();
        change.review().forEach(line -> text.append("-- REVIEW: ").append(line).append('\n'));
        change.notes().forEach(line -> text.append("-- NOTE: ").append(line).append('\n'));
        return text.append(sql).toString();
    }
}
