package dev.eryao.tools;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Turns one result cell into a value that prints and serializes the same everywhere: numbers and
 * booleans stay typed, json/jsonb become JSON trees (an agent then reads them as JSON, not as a
 * string of JSON), everything else is PostgreSQL's own text form (timestamps in UTC, uuids, arrays,
 * bytea as hex), which is exactly what psql would show.
 */
final class Cells {
    private Cells() {}

    static Object read(ResultSet rows, ResultSetMetaData meta, int column) throws SQLException {
        String text = rows.getString(column);
        if (text == null) {
            return null;
        }
        switch (meta.getColumnType(column)) {
            case Types.SMALLINT, Types.INTEGER, Types.BIGINT -> {
                return rows.getLong(column);
            }
            case Types.NUMERIC, Types.DECIMAL -> {
                return decimalOrText(text);
            }
            case Types.REAL, Types.DOUBLE, Types.FLOAT -> {
                double value = rows.getDouble(column);
                return Double.isFinite(value) ? value : text;
            }
            case Types.BOOLEAN, Types.BIT -> {
                return "bool".equals(meta.getColumnTypeName(column)) ? rows.getBoolean(column) : text;
            }
            default -> {
                String type = meta.getColumnTypeName(column);
                return "json".equals(type) || "jsonb".equals(type) ? ToolsJson.parseOrText(text) : text;
            }
        }
    }

    /** numeric also holds NaN and ±Infinity, which JSON has no number for. */
    private static Object decimalOrText(String text) {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return text;
        }
    }

    /** The bytes a value takes in UTF-8, the server's encoding: what the byte cap counts. Null takes none. */
    static long utf8Length(String text) {
        if (text == null) {
            return 0;
        }
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
