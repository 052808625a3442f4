package dev.eryao.core.tracing;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** A pool whose connections trace their statements ({@link TracedStatements}); closing one returns it to the pool. */
public final class TracedDataSource implements DataSource {
    private final DataSource pool;
    private final TracedStatements statements;

    private TracedDataSource(DataSource pool, TracedStatements statements) {
        this.pool = pool;
        this.statements = statements;
    }

    /** {@code pool} traced when {@code tracing} is on; {@code pool} itself when it is off. */
    public static DataSource over(DataSource pool, Tracing tracing) {
        return tracing.enabled() ? new TracedDataSource(pool, new TracedStatements(tracing.tracer())) : pool;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return statements.wrap(pool.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return statements.wrap(pool.getConnection(username, password));
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : pool.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || pool.isWrapperFor(type);
    }
}
