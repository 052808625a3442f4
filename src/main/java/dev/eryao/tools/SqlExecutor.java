package dev.eryao.tools;

import dev.eryao.core.Causes;
import dev.eryao.core.db.TransactionControl;
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
 * and returns at most {@code maxRows} rows holding at most {@code maxBytes} bytes of values.
 *
 * <p>Rows stream: inside the transaction the driver fetches them in batches through a portal, so
 * the server produces the next batch only when it is asked for it, and reading stops at whichever
 * cap comes first. The driver reads each row whole, so a row, or a batch, larger than the byte cap
 * is refused by the driver before it allocates it ({@link ReadOnlyAccess#of}); that too is
 * reported as a result cut at the byte cap, with the rows read before it.
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
    /** The first batch; later ones the driver sizes from the widest row seen and the byte cap. */
    private static final int FIRST_FETCH = 16;

    private final ReadOnlyAccess access;
    private final int maxRows;
    private final int maxBytes;

    public SqlExecutor(ReadOnlyAccess access, int maxRows, int maxBytes) {
        this.access = access;
        this.maxRows = maxRows;
        this.maxBytes = maxBytes;
    }

    /** @throws ToolException for an empty text, more than one statement, or the database's refusal */
    public QueryResult execute(String sql) {
        String text = sql == null ? "" : sql.strip();
        if (text.isEmpty()) {
            throw new ToolException("no query given");
        }
        return access.run(connection -> {
            requireOneStatement(connection, text);
            refusePreparing(text);
            try (Statement statement = connection.createStatement()) {
                statement.setEscapeProcessing(false);
                // One more than the cap, so the server stops there and we know more rows existed.
                statement.setMaxRows(maxRows + 1);
                statement.setFetchSize(Math.min(FIRST_FETCH, maxRows + 1));
                access.bound(statement);
                Reading reading = new Reading();
                try {
                    return statement.execute(text)
                            ? reading.all(statement.getResultSet())
                            : reading.result(QueryResult.Cut.NONE);
                } catch (SQLException e) {
                    if (!overTheByteCap(e)) {
                        throw e;
                    }
                    // The connection is unusable now; it is closed after this call anyway.
                    return reading.result(QueryResult.Cut.BYTES);
                }
            }
        });
    }

    /**
     * A PREPARE TRANSACTION would keep the tools' transaction, with its locks and a transaction id,
     * after the call, where the server allows prepared transactions ({@code max_prepared_transactions
     * > 0}); the other transaction-control commands only end it early, and the server refuses what
     * they would change.
     */
    private static void refusePreparing(String text) {
        TransactionControl.in(text)
                .filter(command -> command.equals("PREPARE TRANSACTION"))
                .ifPresent(command -> {
                    throw new ToolException("PREPARE TRANSACTION is not allowed: the data tools' read-only transaction"
                            + " must end with the call");
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

    /** The driver's refusal of a batch (or a single row) larger than its result buffer, the byte cap. */
    private static boolean overTheByteCap(SQLException e) {
        return Causes.any(e, cause -> String.valueOf(cause.getMessage()).contains("exceeded maxResultBuffer limit"));
    }

    /** The rows of one call as they arrive, kept when the driver stops the reading half-way. */
    private final class Reading {
        private final List<String> columns = new ArrayList<>();
        private final List<List<Object>> rows = new ArrayList<>();
        private long bytes;

        QueryResult all(ResultSet results) throws SQLException {
            ResultSetMetaData meta = results.getMetaData();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnLabel(i));
            }
            while (results.next()) {
                if (rows.size() == maxRows) {
                    return result(QueryResult.Cut.ROWS);
                }
                List<Object> row = new ArrayList<>(columns.size());
                for (int i = 1; i <= columns.size(); i++) {
                    bytes += Cells.utf8Length(results.getString(i));
                    row.add(Cells.read(results, meta, i));
                }
                if (bytes > maxBytes) {
                    return result(QueryResult.Cut.BYTES);
                }
                rows.add(row);
            }
            return result(QueryResult.Cut.NONE);
        }

        QueryResult result(QueryResult.Cut cut) {
            return new QueryResult(columns, rows, cut, maxRows, maxBytes);
        }
    }
}
