package dev.eryao.core.tracing;

import dev.eryao.core.db.ForwardingDataSource;
import java.sql.Connection;
import javax.sql.DataSource;

/** A pool whose connections trace their statements ({@link TracedStatements}); closing one returns it to the pool. */
public final class TracedDataSource extends ForwardingDataSource {
    private final TracedStatements statements;

    private TracedDataSource(DataSource pool, TracedStatements statements) {
        super(pool);
        this.statements = statements;
    }

    /** {@code pool} traced when {@code tracing} is on; {@code pool} itself when it is off. */
    public static DataSource over(DataSource pool, Tracing tracing) {
        return tracing.enabled() ? new TracedDataSource(pool, new TracedStatements(tracing.tracer())) : pool;
    }

    @Override
    protected Connection opened(Connection connection) {
        return statements.wrap(connection);
    }
}
