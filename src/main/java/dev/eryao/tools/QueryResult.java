package dev.eryao.tools;

import java.util.List;

/**
 * What one read-only query returned.
 *
 * @param columns   column labels in order (empty for a statement that returns no rows, such as SET)
 * @param rows      at most {@code maxRows} rows; each value is null, a Boolean, a Number, a parsed
 *                  JSON tree (json/jsonb) or PostgreSQL's text form of the value
 * @param truncated true when the query had more rows than {@code maxRows}
 * @param maxRows   the cap in force
 */
public record QueryResult(List<String> columns, List<List<Object>> rows, boolean truncated, int maxRows) {
    public QueryResult {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }
}
