package dev.eryao.migrations.autogen;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the {@link Shapes} of one schema from PostgreSQL's catalog. Types, defaults, index keys
 * and predicates come out as PostgreSQL itself prints them, which is what makes two schemas
 * comparable as text.
 */
final class CatalogReader {
    private static final String TABLES = """
            SELECT c.oid, c.relname, c.relrowsecurity FROM pg_class c
            WHERE c.relnamespace = ? AND c.relkind IN ('r', 'p') ORDER BY c.relname""";
    private static final String COLUMNS = """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)
            FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""";
    private static final String KEYS = """
            SELECT k.conname, k.contype,
                   array(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
                         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o),
                   r.relname,
                   array(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o)
                         JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o)
            FROM pg_constraint k LEFT JOIN pg_class r ON r.oid = k.confrelid
            WHERE k.conrelid = ? AND k.contype IN ('p', 'f') ORDER BY k.conname""";
    private static final String INDEXES = """
            SELECT i.relname, x.indisunique, pg_get_expr(x.indpred, x.indrelid, true),
                   array(SELECT pg_get_indexdef(x.indexrelid, k, true) || CASE
                                  WHEN x.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END
                         FROM generate_series(1, x.indnkeyatts) k ORDER BY k)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = ? AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
            ORDER BY i.relname""";

    private CatalogReader() {}

    /** The tables of {@code public}, leaving out {@code excluded} ones (the migration tools' own). */
    static Shapes.Schema readPublic(Connection connection, Set<String> excluded) throws SQLException {
        return read(connection, namespace(connection, "SELECT 'public'::regnamespace::oid"), excluded, true);
    }

    /** The tables of this session's temporary schema (where {@link ModelSchema} builds its probe). */
    static Shapes.Schema readTemporary(Connection connection) throws SQLException {
        return read(connection, namespace(connection, "SELECT pg_my_temp_schema()"), Set.of(), false);
    }

    private static long namespace(Connection connection, String query) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(query)) {
            row.next();
            return row.getLong(1);
        }
    }

    private static Shapes.Schema read(Connection connection, long namespace, Set<String> excluded, boolean countRows)
            throws SQLException {
        Map<String, Shapes.Table> tables = new TreeMap<>();
        try (PreparedStatement query = connection.prepareStatement(TABLES)) {
            query.setLong(1, namespace);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    String name = rows.getString(2);
                    if (!excluded.contains(name)) {
                        tables.put(name, table(connection, rows.getLong(1), name, rows.getBoolean(3), countRows));
                    }
                }
            }
        }
        return new Shapes.Schema(tables);
    }

    private static Shapes.Table table(Connection connection, long oid, String name, boolean rls, boolean countRows)
            throws SQLException {
        List<Shapes.Column> columns = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(COLUMNS)) {
            query.setLong(1, oid);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    columns.add(new Shapes.Column(
                            rows.getString(1),
                            canonicalType(rows.getString(2)),
                            rows.getBoolean(3),
                            rows.getString(4)));
                }
            }
        }
        Shapes.Key primaryKey = null;
        Map<String, Shapes.ForeignKey> foreignKeys = new LinkedHashMap<>();
        try (PreparedStatement query = connection.prepareStatement(KEYS)) {
            query.setLong(1, oid);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    List<String> keyColumns = strings(rows.getArray(3));
                    if ("p".equals(rows.getString(2))) {
                        primaryKey = new Shapes.Key(rows.getString(1), keyColumns);
                    } else {
                        foreignKeys.put(
                                rows.getString(1),
                                new Shapes.ForeignKey(
                                        rows.getString(1), keyColumns, rows.getString(4), strings(rows.getArray(5))));
                    }
                }
            }
        }
        Map<String, Shapes.Index> indexes = new LinkedHashMap<>();
        try (PreparedStatement query = connection.prepareStatement(INDEXES)) {
            query.setLong(1, oid);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    indexes.put(
                            rows.getString(1),
                            new Shapes.Index(
                                    rows.getString(1),
                                    rows.getBoolean(2),
                                    strings(rows.getArray(4)),
                                    rows.getString(3)));
                }
            }
        }
        return new Shapes.Table(
                name, columns, primaryKey, indexes, foreignKeys, rls, countRows && hasRows(connection, name));
    }

    /** {@code timestamp(6)} is PostgreSQL's full precision, the same column as {@code timestamp}. */
    static String canonicalType(String type) {
        return type.replaceFirst("^(timestamp|time)\\(6\\)", "$1");
    }

    private static boolean hasRows(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row =
                        statement.executeQuery("SELECT EXISTS (SELECT 1 FROM public." + Ddl.quote(table) + ")")) {
            row.next();
            return row.getBoolean(1);
        }
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }
}
