package dev.eryao.tools;

import java.util.List;

/**
 * What one read-only query returned.
 *
 * @param columns   column labels in order (empty for a statement that returns no rows, such as SET)
 * @param rows      at most {@code maxRows} rows holding at most {@code maxBytes} bytes of values; each
 *                  value is null, a Boolean, a Number, a parsed JSON tree (json/jsonb) or PostgreSQL's
 *                  text form of the value
 * @param cut       why rows are missing: {@link Cut#NONE} when the query had no more
 * @param maxRows   the row cap in force
 * @param maxBytes  the byte cap in force
 */
public record QueryResult(List<String> columns, List<List<Object>> rows, Cut cut, int maxRows, int maxBytes) {
    /** Where a result stopped short of the query's last row. */
    public enum Cut {
        NONE,
        /** The query had more than {@code maxRows} rows. */
        ROWS,
        /** The next row would have taken the result past {@code maxBytes}. */
        BYTES
    }

    public QueryResult {
        columns = List.copyOf(columns);
        // List.copyOf refuses nulls, and a row holds SQL NULLs; the rows list itself is copied.
        rows = List.copyOf(rows);
    }

    public boolean truncated() {
        return cut != Cut.NONE;
    }
}
