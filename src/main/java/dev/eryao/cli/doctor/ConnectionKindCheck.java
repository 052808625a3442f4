package dev.eryao.cli.doctor;

import dev.eryao.core.config.DatabaseSettings;
import dev.eryao.core.config.PoolMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * How the backend reaches the database — directly, through Supabase's session pooler (port 5432)
 * or its transaction pooler (6543) — from the settings, and whether the server agrees: in session
 * mode two transactions on one pooled connection must run in the same server session (the same
 * {@code pg_backend_pid()}); if they do not, a transaction pooler is in between and
 * {@code ERYAO_DATABASE__POOL_MODE} must say so.
 */
final class ConnectionKindCheck implements Check {
    static final String POOLER_HOST_SUFFIX = ".pooler.supabase.com";

    @Override
    public String name() {
        return "connection";
    }

    @Override
    public Finding run(DoctorContext context) throws Exception {
        DatabaseSettings db = context.settings().database();
        if (db.embedded()) {
            return Finding.ok("embedded PostgreSQL (no ERYAO_DATABASE__HOST), session mode");
        }
        String host = db.host().toLowerCase(Locale.ROOT);
        boolean supabasePooler = host.endsWith(POOLER_HOST_SUFFIX);
        String kind = supabasePooler
                ? (db.port() == DatabaseSettings.TRANSACTION_POOLER_PORT
                        ? "Supabase transaction pooler"
                        : "Supabase session pooler")
                : (host.startsWith("db.") && host.endsWith(".supabase.co")
                        ? "direct connection to Supabase"
                        : "direct connection");
        String seen = kind + " at " + db.host() + ":" + db.port() + ", " + word(db.poolMode()) + " pool mode";
        if (supabasePooler && !db.user().contains(".")) {
            return Finding.failed(
                    seen + ", user " + db.user(),
                    "Supabase's pooler needs the user postgres.<project-ref> (ERYAO_DATABASE__USER)");
        }
        if (db.port() == DatabaseSettings.TRANSACTION_POOLER_PORT && db.poolMode() != PoolMode.TRANSACTION) {
            return Finding.failed(
                    seen, "port 6543 is the transaction pooler: set ERYAO_DATABASE__POOL_MODE=transaction");
        }
        if (db.poolMode() == PoolMode.SESSION
                && !sameSessionAcrossTransactions(context.database().dataSource())) {
            return Finding.failed(
                    seen + ", but consecutive transactions ran in different server sessions",
                    "a transaction pooler is in between: set ERYAO_DATABASE__POOL_MODE=transaction, and migrate"
                            + " through the session pooler (port 5432)");
        }
        if (supabasePooler && db.poolMode() == PoolMode.TRANSACTION) {
            return Finding.ok(seen + " (serving only: run migrations through the session pooler, port 5432)");
        }
        return Finding.ok(seen);
    }

    private static boolean sameSessionAcrossTransactions(DataSource pool) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            int first = backendPid(connection);
            int second = backendPid(connection);
            return first == second;
        }
    }

    private static int backendPid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT pg_backend_pid()")) {
            row.next();
            int pid = row.getInt(1);
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
            return pid;
        }
    }

    private static String word(PoolMode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }
}
