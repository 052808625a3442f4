package dev.eryao.api;

import dev.eryao.migrations.SchemaStatus;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /readyz}: ready means the pool hands out a connection that answers a query now and the
 * schema is at the newest revision this build carries. A load balancer should send no traffic
 * otherwise.
 *
 * <p>Every probe asks the database afresh (nothing is cached) and answers within {@link #BOUND}:
 * a probe that cannot get its answer by then says not ready. Without the bound a probe waited for
 * the pool's connect timeout twice (once for the round trip, once for the schema read), so a probe
 * that began during an outage could wait through it and answer 200 from the database that came
 * back, seconds after the question was asked.
 */
public final class ReadinessCheck {
    /** How long a probe may take; load balancers' own probe timeouts are a few seconds. */
    static final Duration BOUND = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(ReadinessCheck.class);
    private static final Report UNREACHABLE = new Report(false, false, false, null);

    record Report(boolean ready, boolean database, boolean schemaAtHead, String revision) {
    }

    private final DataSource dataSource;
    private final SchemaStatus schema;
    private final Duration bound;
    /** One virtual thread per probe, so a probe the bound gave up on never holds up the next one. */
    private final ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor();

    /** @param schema where the newest applied revision is read */
    public ReadinessCheck(DataSource dataSource, SchemaStatus schema) {
        this(dataSource, schema, BOUND);
    }

    ReadinessCheck(DataSource dataSource, SchemaStatus schema, Duration bound) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.bound = bound;
    }

    Report check() {
        Future<Report> probe = probes.submit(this::probe);
        try {
            return probe.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Interrupting the probe makes the pool give up waiting and closes a socket stuck in a read.
            probe.cancel(true);
            log.warn("readiness: the database did not answer within {} ms", bound.toMillis());
            return UNREACHABLE;
        } catch (ExecutionException e) {
            log.warn("readiness: the probe failed: {}", e.getCause().toString());
            return UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            probe.cancel(true);
            return UNREACHABLE;
        }
    }

    private Report probe() {
        if (!answers()) {
            return UNREACHABLE;
        }
        try {
            SchemaStatus.State state = schema.read();
            return new Report(state.atHead(), true, state.atHead(), state.current());
        } catch (RuntimeException e) {
            log.warn("readiness: cannot read the schema history: {}", e.getMessage());
            return new Report(false, true, false, null);
        }
    }

    /** A real round trip on a pooled connection, its socket reads bounded as the whole probe is. */
    private boolean answers() {
        int millis = (int) bound.toMillis();
        try (Connection connection = dataSource.getConnection()) {
            connection.setNetworkTimeout(Runnable::run, millis);
            try (Statement statement = connection.createStatement()) {
                statement.setQueryTimeout((int) Math.max(1, bound.toSeconds()));
                statement.execute("SELECT 1");
            }
            connection.rollback();
            return true;
        } catch (SQLException e) {
            log.warn("readiness: database unreachable: {}", e.getMessage());
            return false;
        }
    }
}
