package dev.eryao.tools;

import java.util.List;

/**
 * One table as {@code list_tables} / {@code bin/eryao tables} shows it. The detail lists are null
 * unless asked for (verbose), so the short form stays short in JSON too.
 *
 * @param estimatedRows the planner's estimate (or the live count from statistics when the table was
 *                      never analyzed); not an exact count
 * @param rlsEnabled    row level security on; every table in {@code public} should have it
 */
public record TableInfo(
        String schema,
        String name,
        long estimatedRows,
        boolean rlsEnabled,
        boolean rlsForced,
        List<Column> columns,
        PrimaryKey primaryKey,
        List<ForeignKey> foreignKeys) {

    public String qualifiedName() {
        return schema + "." + name;
    }

    /** @param defaultValue the column's default expression, or null */
    public record Column(String name, String type, boolean nullable, String defaultValue) {}

    public record PrimaryKey(String name, List<String> columns) {}

    /** @param references {@code schema.table} */
    public record ForeignKey(String name, List<String> columns, String references, List<String> referencedColumns) {}
}
