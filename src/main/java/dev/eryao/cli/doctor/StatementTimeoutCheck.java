package dev.eryao.cli.doctor;

import dev.eryao.core.config.PoolMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The statement timeout as the application's work really runs under it: {@code SHOW
 * statement_timeout} on a connection from the application's pool (inside a transaction begun the
 * way the application begins one, in transaction mode). A pooler that dropped or reset the setting
 * shows here as a value other than {@code ERYAO_DATABASE__STATEMENT_TIMEOUT_MS}.
 */
final class StatementTimeoutCheck implements Check {
    private final Optional<DataSource> pool;

    StatementTimeoutCheck() {
        this.pool = Optional.empty();
    }

    /** Against another pool than the application's (tests hand it one that lost its timeout). */
    StatementTimeoutCheck(DataSource pool) {
        this.pool = Optional.of(pool);
    }

    @Override
    public String name() {
        return "statement timeout";
    }

    @Override
    public Finding run(DoctorContext context) throws Exception {
        int configured =
                Math.toIntExact(context.settings().database().statementTimeout().toMillis());
        boolean transactionMode = context.database().settings().poolMode() == PoolMode.TRANSACTION;
        Optional<String> perTransaction =
                pool.isPresent() ? Optional.empty() : context.database().perTransactionSql();
        String seen;
        try (Connection connection =
                pool.orElse(context.database().dataSource()).getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                if (perTransaction.isPresent()) {
                    statement.execute(perTransaction.get());
                }
                seen = show(statement);
            } finally {
                connection.rollback();
            }
        }
        String expected = configured + "ms";
        if (!milliseconds(seen).equals(milliseconds(expected))) {
            return Finding.failed(
                    "a pooled connection runs with statement_timeout " + seen + ", not the configured " + expected
                            + " (ERYAO_DATABASE__STATEMENT_TIMEOUT_MS)",
                    "something between the backend and the server resets session settings: with a transaction"
                            + " pooler set ERYAO_DATABASE__POOL_MODE=transaction (then each transaction sets it);"
                            + " as a backstop, ALTER ROLE <login> SET statement_timeout = '" + expected + "'");
        }
        String how = transactionMode ? "set per transaction (SET LOCAL)" : "set on each pooled connection (SET)";
        return Finding.ok(seen + ", " + how);
    }

    private static String show(Statement statement) throws SQLException {
        try (ResultSet row = statement.executeQuery("SHOW statement_timeout")) {
            row.next();
            return row.getString(1);
        }
    }

    /** PostgreSQL shows 30000 ms as {@code 30s} and 0 as {@code 0}: compare in milliseconds. */
    static String milliseconds(String shown) {
        String value = shown.strip();
        long factor = 1;
        String number = value;
        if (value.endsWith("ms")) {
            number = value.substring(0, value.length() - 2);
        } else if (value.endsWith("s")) {
            number = value.substring(0, value.length() - 1);
            factor = 1_000;
        } else if (value.endsWith("min")) {
            number = value.substring(0, value.length() - 3);
            factor = 60_000;
        } else if (value.endsWith("h")) {
            number = value.substring(0, value.length() - 1);
            factor = 3_600_000;
        } else if (value.endsWith("d")) {
            number = value.substring(0, value.length() - 1);
            factor = 86_400_000;
        }
        try {
            return String.valueOf(Long.parseLong(number.strip()) * factor);
        } catch (NumberFormatException e) {
            return value;
        }
    }
}
