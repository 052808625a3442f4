package dev.eryao.tools;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code list_tables} / {@code bin/eryao tables}: the tables of some schemas from the system
 * catalogs, read through {@link ReadOnlyAccess} in one snapshot. Catalogs are readable by any
 * role, so this shows tables the reader cannot select from too.
 */
public final class TableCatalog {
    private static final String TABLES = """
            SELECT n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint ELSE coalesce(s.n_live_tup, 0) END
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
            WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY (?)
            ORDER BY n.nspname, c.relname""";

    private static final String COLUMNS = """
            SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid)
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY (?) AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY n.nspname, c.relname, a.attnum""";

    private static final String KEYS = """
            SELECT n.nspname, c.relname, k.conname, k.contype,
                   ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum ORDER BY u.ord),
                   fn.nspname || '.' || fc.relname,
                   ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum ORDER BY u.ord)
            FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_class fc ON fc.oid = k.confrelid
            LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
            WHERE k.contype IN ('p', 'f') AND n.nspname = ANY (?)
            ORDER BY n.nspname, c.relname, k.conname""";

    private static final String MISSING_SCHEMAS = """
            SELECT s FROM unnest(?::text[]) s
            WHERE NOT EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = s)""";

    private final ReadOnlyAccess access;

    public TableCatalog(ReadOnlyAccess access) {
        this.access = access;
    }

    /**
     * @param schemas schema names; empty means {@code public}
     * @param verbose also columns, primary key and foreign keys
     * @throws ToolException naming a schema that does not exist
     */
    public List<TableInfo> list(List<String> schemas, boolean verbose) {
        String[] names = schemas.isEmpty() ? new String[] {"public"} : schemas.toArray(String[]::new);
        return access.run(connection -> {
            List<String> missing = strings(connection, MISSING_SCHEMAS, names);
            if (!missing.isEmpty()) {
                throw new ToolException("no schema named " + String.join(", ", missing));
            }
            List<TableInfo> tables = tables(connection, names);
            return verbose ? withDetail(connection, names, tables) : tables;
        });
    }

    private static List<TableInfo> tables(Connection connection, String[] schemas) throws SQLException {
        List<TableInfo> tables = new ArrayList<>();
        try (PreparedStatement query = prepare(connection, TABLES, schemas);
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                tables.add(new TableInfo(
                        rows.getString(1),
                        rows.getString(2),
                        rows.getLong(5),
                        rows.getBoolean(3),
                        rows.getBoolean(4),
                        null,
                        null,
                        null));
            }
        }
        return tables;
    }

    private static List<TableInfo> withDetail(Connection connection, String[] schemas, List<TableInfo> tables)
            throws SQLException {
        Map<String, List<TableInfo.Column>> columns = new HashMap<>();
        try (PreparedStatement query = prepare(connection, COLUMNS, schemas);
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                columns.computeIfAbsent(rows.getString(1) + "." + rows.getString(2), k -> new ArrayList<>())
                        .add(new TableInfo.Column(
                                rows.getString(3), rows.getString(4), rows.getBoolean(5), rows.getString(6)));
            }
        }
        Map<String, TableInfo.PrimaryKey> primaryKeys = new HashMap<>();
        Map<String, List<TableInfo.ForeignKey>> foreignKeys = new HashMap<>();
        try (PreparedStatement query = prepare(connection, KEYS, schemas);
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                String table = rows.getString(1) + "." + rows.getString(2);
                List<String> keyColumns = list(rows.getArray(5));
                if ("p".equals(rows.getString(4))) {
                    primaryKeys.put(table, new TableInfo.PrimaryKey(rows.getString(3), keyColumns));
                } else {
                    foreignKeys
                            .computeIfAbsent(table, k -> new ArrayList<>())
                            .add(new TableInfo.ForeignKey(
                                    rows.getString(3), keyColumns, rows.getString(6), list(rows.getArray(7))));
                }
            }
        }
        List<TableInfo> detailed = new ArrayList<>();
        for (TableInfo t : tables) {
            String key = t.qualifiedName();
            detailed.add(new TableInfo(
                    t.schema(),
                    t.name(),
                    t.estimatedRows(),
                    t.rlsEnabled(),
                    t.rlsForced(),
                    List.copyOf(columns.getOrDefault(key, List.of())),
                    primaryKeys.get(key),
                    List.copyOf(foreignKeys.getOrDefault(key, List.of()))));
        }
        return detailed;
    }

    private static PreparedStatement prepare(Connection connection, String sql, String[] schemas) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        statement.setArray(1, connection.createArrayOf("text", schemas));
        return statement;
    }

    private static List<String> strings(Connection connection, String sql, String[] schemas) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement query = prepare(connection, sql, schemas);
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }

    private static List<String> list(Array array) throws SQLException {
        return array == null ? List.of() : List.copyOf(Arrays.asList((String[]) array.getArray()));
    }
}
