package dev.eryao.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@code bin/eryao sql} and {@code bin/eryao tables} print for a person: aligned tables in
 * the manner of psql, long cells cut, line breaks shown as {@code ↵} so every row is one line.
 */
public final class TextOutput {
    /** Wider cells are cut: one long value must not push every other column off the screen. */
    static final int MAX_CELL_WIDTH = 60;

    private TextOutput() {}

    public static String queryResult(QueryResult result) {
        if (result.columns().isEmpty()) {
            // Cut before even the columns arrived: the first rows alone were over the byte cap.
            return result.truncated() ? "(0 rows; " + cutNote(result) + ")\n" : "OK (the statement returned no rows)\n";
        }
        List<List<String>> cells = new ArrayList<>();
        for (List<Object> row : result.rows()) {
            cells.add(row.stream().map(TextOutput::cell).toList());
        }
        StringBuilder out = new StringBuilder(grid(result.columns(), cells));
        int n = result.rows().size();
        out.append('(').append(n).append(n == 1 ? " row" : " rows");
        if (result.truncated()) {
            out.append("; ").append(cutNote(result));
        }
        return out.append(")\n").toString();
    }

    /** Why rows are missing, and what raises the cap. */
    static String cutNote(QueryResult result) {
        return switch (result.cut()) {
            case ROWS ->
                "more were cut off at the limit of " + result.maxRows()
                        + ": --max-rows or ERYAO_TOOLS__MAX_ROWS raises it";
            case BYTES ->
                "result truncated at " + result.maxBytes() + " bytes: the rows after these would pass"
                        + " that limit; --max-bytes or ERYAO_TOOLS__MAX_BYTES raises it";
            case NONE -> "";
        };
    }

    public static String tables(List<TableInfo> tables, boolean verbose) {
        List<List<String>> rows = new ArrayList<>();
        for (TableInfo t : tables) {
            rows.add(List.of(t.schema(), t.name(), "~" + t.estimatedRows(), rls(t)));
        }
        StringBuilder out = new StringBuilder(grid(List.of("schema", "table", "rows", "rls"), rows));
        out.append('(').append(tables.size()).append(tables.size() == 1 ? " table)\n" : " tables)\n");
        if (verbose) {
            tables.forEach(t -> out.append('\n').append(detail(t)));
        }
        List<String> withoutRls = tables.stream()
                .filter(t -> !t.rlsEnabled())
                .map(TableInfo::qualifiedName)
                .toList();
        if (!withoutRls.isEmpty()) {
            out.append("\nWARNING: row level security is OFF on ")
                    .append(String.join(", ", withoutRls))
                    .append(": enable it in a migration (ALTER TABLE ... ENABLE ROW LEVEL SECURITY)\n");
        }
        return out.toString();
    }

    private static String rls(TableInfo t) {
        if (!t.rlsEnabled()) {
            return "OFF !";
        }
        return t.rlsForced() ? "on (forced)" : "on";
    }

    private static String detail(TableInfo t) {
        StringBuilder out = new StringBuilder(t.qualifiedName())
                .append("  (~")
                .append(t.estimatedRows())
                .append(" rows, RLS ")
                .append(rls(t))
                .append(")\n");
        List<List<String>> columns = t.columns().stream()
                .map(c -> List.of(
                        "  " + c.name(),
                        c.type(),
                        c.nullable() ? "null" : "not null",
                        c.defaultValue() == null ? "" : "default " + c.defaultValue()))
                .toList();
        out.append(grid(null, columns));
        out.append("  primary key: ")
                .append(
                        t.primaryKey() == null
                                ? "none"
                                : String.join(", ", t.primaryKey().columns()) + " ("
                                        + t.primaryKey().name() + ")")
                .append('\n');
        for (TableInfo.ForeignKey fk : t.foreignKeys()) {
            out.append("  foreign key ")
                    .append(fk.name())
                    .append(": ")
                    .append(String.join(", ", fk.columns()))
                    .append(" -> ")
                    .append(fk.references())
                    .append(" (")
                    .append(String.join(", ", fk.referencedColumns()))
                    .append(")\n");
        }
        return out.toString();
    }

    /** Aligned columns separated by {@code " | "}; with headers, a rule under them. */
    static String grid(List<String> headers, List<List<String>> rows) {
        int width = headers != null
                ? headers.size()
                : rows.isEmpty() ? 0 : rows.get(0).size();
        int[] widths = new int[width];
        if (headers != null) {
            measure(widths, headers);
        }
        rows.forEach(row -> measure(widths, row));
        StringBuilder out = new StringBuilder();
        String separator = headers != null ? " | " : "  ";
        if (headers != null) {
            out.append(line(widths, headers, separator)).append('\n');
            out.append(java.util.Arrays.stream(widths).mapToObj("-"::repeat).collect(Collectors.joining("-+-")))
                    .append('\n');
        }
        rows.forEach(row -> out.append(line(widths, row, separator)).append('\n'));
        return out.toString();
    }

    private static void measure(int[] widths, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            widths[i] = Math.max(widths[i], cells.get(i).length());
        }
    }

    private static String line(int[] widths, List<String> cells, String separator) {
        List<String> padded = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            padded.add(
                    i == cells.size() - 1
                            ? cells.get(i)
                            : String.format("%-" + Math.max(1, widths[i]) + "s", cells.get(i)));
        }
        return String.join(separator, padded).stripTrailing();
    }

    static String cell(Object value) {
        String text = value == null ? "" : value instanceof JsonNode json ? json.toString() : value.toString();
        text = text.replace("\r\n", "↵").replace('\n', '↵').replace('\r', '↵').replace('\t', ' ');
        return text.length() <= MAX_CELL_WIDTH ? text : text.substring(0, MAX_CELL_WIDTH - 1) + "…";
    }
}
