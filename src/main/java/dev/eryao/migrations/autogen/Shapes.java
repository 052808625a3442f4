package dev.eryao.migrations.autogen;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shape of a schema as autogenerate compares it: tables with their columns, primary key,
 * indexes (partial ones included), foreign keys and RLS switch. Both sides — the live database and
 * what the models describe — are read by the same {@link CatalogReader}, so equal means equal.
 * CHECK constraints, triggers, policies and functions are not part of it: they live only in
 * hand-written revisions, and autogenerate neither writes nor drops them.
 */
public final class Shapes {
    private Shapes() {}

    /** @param tables by name */
    public record Schema(Map<String, Table> tables) {
        public Optional<Table> table(String name) {
            return Optional.ofNullable(tables.get(name));
        }
    }

    /**
     * @param columns     in column order
     * @param primaryKey  null when the table has none
     * @param indexes     by name, not counting the primary key's
     * @param foreignKeys by name
     * @param hasRows     whether the live table holds any row (false for the models' side)
     */
    public record Table(
            String name,
            List<Column> columns,
            Key primaryKey,
            Map<String, Index> indexes,
            Map<String, ForeignKey> foreignKeys,
            boolean rls,
            boolean hasRows) {
        public Optional<Column> column(String columnName) {
            return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
        }
    }

    /** @param defaultExpression as PostgreSQL prints it, or null */
    public record Column(String name, String type, boolean notNull, String defaultExpression) {}

    public record Key(String name, List<String> columns) {}

    /**
     * @param keys      each key column as PostgreSQL prints it, with its order ({@code created_at DESC})
     * @param predicate the partial index's WHERE, as PostgreSQL prints it, or null
     */
    public record Index(String name, boolean unique, List<String> keys, String predicate) {}

    public record ForeignKey(
            String name, List<String> columns, String referencedTable, List<String> referencedColumns) {}
}
