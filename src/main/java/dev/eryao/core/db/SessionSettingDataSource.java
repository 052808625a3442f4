package dev.eryao.core.db;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source whose every new connection first runs some SQL ({@link Timeouts#sessionSql()}), so
 * what it sets holds whichever way the connection reaches the server, a pooler that drops
 * start-up options included.
 */
final class SessionSettingDataSource implements DataSource {
    private final DataSource target;
    private final String sessionSql;

    SessionSettingDataSource(DataSource target, String sessionSql) {
        this.target = target;
        this.sessionSql = sessionSql;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return prepared(target.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return prepared(target.getConnection(username, password));
    }

    private Connection prepared(Connection connection) throws SQLException {
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

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : target.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || target.isWrapperFor(type);
    }
}
