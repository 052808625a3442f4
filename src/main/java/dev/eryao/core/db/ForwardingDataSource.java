package dev.eryao.core.db;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source that hands out its target's connections, each passed through {@link #opened}; the
 * rest of {@link DataSource} is the target's, so a wrapper states only what it does to a
 * connection.
 */
public abstract class ForwardingDataSource implements DataSource {
    private final DataSource target;

    protected ForwardingDataSource(DataSource target) {
        this.target = target;
    }

    /** What the caller gets for a connection just taken from the target. */
    protected abstract Connection opened(Connection connection) throws SQLException;

    @Override
    public final Connection getConnection() throws SQLException {
        return opened(target.getConnection());
    }

    @Override
    public final Connection getConnection(String username, String password) throws SQLException {
        return opened(target.getConnection(username, password));
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
