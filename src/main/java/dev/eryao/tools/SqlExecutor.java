package dev.eryao.tools;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.NativeQuery;
import org.postgresql.core.Parser;

/**
 * {@code execute_sql} / {@code bin/eryao sql}: runs one statement through {@link ReadOnlyAccess}
 * and returns at most {@code maxRows} rows.
 *
 * <p>Exactly one statement reaches the server, in one Parse message of the extended protocol. The
 * driver splits text on {@code ;} by its own lexer and would send each piece as a statement of its
 * own, so text it splits into more than one is refused before anything is sent; whatever it sends
 * as one piece, the server itself refuses to run as more than one command. This is not what makes
 * the tools read-only (the database does that, see {@link ReadOnlyAccess}); it keeps
 * {@code COMMIT; DROP …} from even reaching a second transaction, and it keeps results unambiguous.
 * A plain {@link Statement} is used so that {@code ?} (a jsonb operator) is not taken for a bind
 * parameter; JDBC escape processing is off, so the server sees the text exactly as written.
 */
public final class SqlExecutor {
    private final ReadOnlyAccess access;
    private final int maxRows;

    public SqlExecutor(ReadOnlyAccess access, int maxRows) {
        this.access = access;
        this.maxRows = maxRows;
    }

    /** @throws ToolException for an empty text, more than one statement, or the database's refusal */
    public QueryResult execute(String sql) {
        String text = sql == null ? "" : sql.strip();
        if (text.isEmpty()) {
            throw new ToolException("no query given");
        }
        return access.run(connection -> {
            requireOneStatement(connection, text);
            try (Statement statement = connection.createStatement()) {
                statement.setEscapeProcessing(false);
                // One more than the cap, so the server stops there and we know more rows existed.
                statement.setMaxRows(maxRows + 1);
                access.bound(statement);
                boolean returnsRows = statement.execute(text);
                return returnsRows ? read(statement.getResultSet()) : new QueryResult(List.of(), List.of(), false, maxRows);
            }
        });
    }

    private static void requireOneStatement(Connection connection, String text) throws SQLException {
        boolean standardStrings = connection.unwrap(BaseConnection.class).getStandardConformingStrings();
        List<NativeQuery> pieces = Parser.parseJdbcSql(text, standardStrings, false, true, false, false);
        if (pieces.isEmpty()) {
            throw new ToolException("no query given (only comments or semicolons)");
        }
        if (pieces.size() > 1) {
            throw new ToolException("one statement at a time: this text holds " + pieces.size()
                    + " statements separated by ';' and none of them was run");
        }
    }

    private QueryResult read(ResultSet rows) throws SQLException {
        ResultSetMetaData meta = rows.getMetaData();
        List<String> columns = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            columns.add(meta.getColumnLabel(i));
        }
        List<List<Object>> values = new ArrayList<>();
        boolean truncated = false;
        while (rows.next()) {
            if (values.size() == maxRows) {
                truncated = true;
                break;
            }
            List<Object> row = new ArrayList<>(columns.size());
            for (int i = 1; i <= columns.size(); i++) {
                row.add(Cells.read(rows, meta, i));
            }
            values.add(row);
        }
        return new QueryResult(columns, values, truncated, maxRows);
    }
}
