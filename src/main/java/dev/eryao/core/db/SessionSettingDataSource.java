package dev.eryao.core.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * A data source whose every new connection first runs some SQL ({@link Timeouts#sessionSql()}), so
 * what it sets holds whichever way the connection reaches the server, a pooler that drops
 * start-up options included.
 */
final class SessionSettingDataSource extends ForwardingDataSource {
    private final String sessionSql;

    SessionSettingDataSource(DataSource target, String sessionSql) {
        super(target);
        this.sessionSql = sessionSql;
    }

    @Override
    protected Connection opened(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sessionSql);
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
            return connection;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }
}
