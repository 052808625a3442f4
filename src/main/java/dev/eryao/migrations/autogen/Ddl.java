package dev.eryao.migrations.autogen;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * SQL text for the statements autogenerate writes, formatted like the hand-written revisions:
 * upper-case keywords, one column per line with aligned types, names unquoted unless they must be.
 */
final class Ddl {
    private static final Pattern PLAIN_NAME = Pattern.compile("[a-z_][a-z0-9_]*");

    private Ddl() {}

    static String quote(String name) {
        return PLAIN_NAME.matcher(name).matches() ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** CREATE TABLE with the primary key, for the table in {@code schemaPrefix} ("" for the search path). */
    static String createTable(String schemaPrefix, Shapes.Table table) {
        int width = table.columns().stream()
                .mapToInt(c -> quote(c.name()).length())
                .max()
                .orElse(0);
        StringBuilder sql = new StringBuilder("CREATE TABLE ")
                .append(schemaPrefix)
                .append(quote(table.name()))
                .append(" (\n");
        List<String> lines = table.columns().stream()
                .map(column -> "    " + pad(quote(column.name()), width) + " " + columnDefinition(column))
                .collect(Collectors.toList());
        if (table.primaryKey() != null) {
            lines.add("    CONSTRAINT " + quote(table.primaryKey().name()) + " PRIMARY KEY ("
                    + names(table.primaryKey().columns()) + ")");
        }
        return sql.append(String.join(",\n", lines)).append("\n);").toString();
    }

    /** {@code varchar(200) NOT NULL DEFAULT now()}: type, nullability, default. */
    static String columnDefinition(Shapes.Column column) {
        return column.type()
                + (column.notNull() ? " NOT NULL" : "")
                + (column.defaultExpression() == null ? "" : " DEFAULT " + column.defaultExpression());
    }

    static String createIndex(String schemaPrefix, String table, Shapes.Index index) {
        return "CREATE " + (index.unique() ? "UNIQUE " : "") + "INDEX " + quote(index.name()) + " ON "
                + schemaPrefix + quote(table) + " (" + String.join(", ", index.keys()) + ")"
                + (index.predicate() == null ? "" : " WHERE " + index.predicate()) + ";";
    }

    static String dropIndex(Shapes.Index index) {
        return "DROP INDEX " + quote(index.name()) + ";";
    }

    static String addForeignKey(String schemaPrefix, String table, Shapes.ForeignKey key) {
        return "ALTER TABLE " + schemaPrefix + quote(table) + " ADD CONSTRAINT " + quote(key.name())
                + " FOREIGN KEY (" + names(key.columns()) + ") REFERENCES " + schemaPrefix
                + quote(key.referencedTable()) + " (" + names(key.referencedColumns()) + ");";
    }

    static String dropForeignKey(String table, Shapes.ForeignKey key) {
        return "ALTER TABLE " + quote(table) + " DROP CONSTRAINT " + quote(key.name()) + ";";
    }

    static String enableRls(String table) {
        return "ALTER TABLE " + quote(table) + " ENABLE ROW LEVEL SECURITY;";
    }

    /**
     * Who reaches a new table besides the backend, as revision 20261125_0004 set it for the others:
     * the reader's own SELECT policy (its only way in where it lacks BYPASSRLS, PostgreSQL 15);
     * Supabase's API roles left with SELECT alone (their default privileges give them ALL); and,
     * for a table with {@code owner_id}, the owner's read policy, with {@code auth.uid()} in a scalar
     * subquery so it is evaluated once per statement, not per row (Supabase's auth_rls_initplan).
     */
    static String clientAccess(Shapes.Table table) {
        String name = quote(table.name());
        StringBuilder sql = new StringBuilder()
                .append("CREATE POLICY ")
                .append(quote(table.name() + "_reader"))
                .append(" ON ")
                .append(name)
                .append(" FOR SELECT TO eryao_reader USING (true);\n")
                .append("REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ")
                .append(name)
                .append(" FROM anon, authenticated;");
        if (table.column("owner_id").isPresent()) {
            sql.append("\nCREATE POLICY ")
                    .append(quote(table.name() + "_owner_read"))
                    .append(" ON ")
                    .append(name)
                    .append("\n    FOR SELECT TO authenticated USING (owner_id = (SELECT auth.uid())")
                    .append(table.column("deleted_at").isPresent() ? " AND deleted_at IS NULL" : "")
                    .append(");");
        }
        return sql.toString();
    }

    static String alterColumn(String table, String column, String action) {
        return "ALTER TABLE " + quote(table) + " ALTER COLUMN " + quote(column) + " " + action + ";";
    }

    static String names(List<String> names) {
        return names.stream().map(Ddl::quote).collect(Collectors.joining(", "));
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }
}
