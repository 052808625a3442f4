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
import java.util.function.IntSupplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /readyz}: ready means the pool hands out a connection that answers a query now, the
 * schema is at the newest revision this build carries, and every worker thread this process
 * started is still working off runs (one that met an error the JVM cannot be trusted after ends
 * the process; until it has, this says so). A load balancer should send no traffic otherwise.
 *
 * <p>What an answer promises:
 * <ul>
 *   <li><b>A 200 is never older than the probe.</b> A probe is answered ready only by a check (a
 *       round trip, then the schema read) that began after the probe arrived. A probe that arrives
 *       once an outage has begun can therefore never be told ready by a check from before it,
 *       however recent. For this reason no ready answer is reused, not even for a moment: the check
 *       it came from may have begun just before the outage did (DatabaseOutageTest stops the
 *       database and probes at once).</li>
 *   <li><b>No answer is kept.</b> A not-ready answer may also answer the probes that arrived while
 *       its check ran (they learn it sooner than from a check of their own, and it errs towards
 *       caution), but never one that arrives after that check ended.</li>
 *   <li><b>Every probe answers within {@link #BOUND}</b> of its arrival: not ready, if no such
 *       answer came by then. Without the bound a probe waited for the pool's connect timeout twice
 *       (once for the round trip, once for the schema read), so a probe that began during an outage
 *       could wait through it and answer 200 from the database that came back, seconds after the
 *       question was asked.</li>
 * </ul>
 *
 * <p>What it costs: concurrent probes share one check ({@link SharedCheck}). At most one runs at a
 * time and at most one starts per {@link #SPACING}; every probe that arrives while one runs waits
 * for the next, which answers them all. A flood of probes thus asks the database at most
 * {@code 1 s / SPACING} times a second on one pooled connection, instead of once per probe on as
 * many connections as the pool has (which slowed every signed-in request). The price is the wait:
 * a probe may wait for the rest of the check under way and up to {@code SPACING} before its own
 * begins (none at all when no check began in the last {@code SPACING}), so where a check takes
 * most of the bound, a probe that arrived during one can run out of its bound and say not ready.
 */
public final class ReadinessCheck {
    /** How long a probe may take; load balancers' own probe timeouts are a few seconds. */
    static final Duration BOUND = Duration.ofSeconds(2);
    /** The least time between the starts of two checks: at most four a second, however many probes come. */
    static final Duration SPACING = Duration.ofMillis(250);

    private static final Logger log = LoggerFactory.getLogger(ReadinessCheck.class);
    private static final Report UNREACHABLE = new Report(false, false, false, null, 0);

    /** @param workerThreadsDown worker threads this process started that are no longer running */
    public record Report(
            boolean ready,
            boolean database,
            boolean schemaAtHead,
            @Nullable String revision,
            int workerThreadsDown) {
        Report withWorkerThreadsDown(int down) {
            return new Report(ready && down == 0, database, schemaAtHead, revision, down);
        }
    }

    private final DataSource dataSource;
    private final SchemaStatus schema;
    private final Duration bound;
    /** One virtual thread per check, so a check the bound gave up on never holds up the next one. */
    private final ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor();

    private final SharedCheck<Report> shared;
    private final IntSupplier workerThreadsDown;

    /**
     * @param schema            where the newest applied revision is read
     * @param workerThreadsDown how many of the worker threads this process started have ended (no database read)
     */
    public ReadinessCheck(DataSource dataSource, SchemaStatus schema, IntSupplier workerThreadsDown) {
        this(dataSource, schema, workerThreadsDown, BOUND);
    }

    ReadinessCheck(DataSource dataSource, SchemaStatus schema, Duration bound) {
        this(dataSource, schema, () -> 0, bound);
    }

    ReadinessCheck(DataSource dataSource, SchemaStatus schema, IntSupplier workerThreadsDown, Duration bound) {
        this.workerThreadsDown = workerThreadsDown;
        if (bound.compareTo(SPACING) <= 0) {
            throw new IllegalArgumentException("the readiness bound (" + bound + ") must exceed the spacing of checks ("
                    + SPACING + "), or a probe that waits for the next check could never be answered");
        }
        this.dataSource = dataSource;
        this.schema = schema;
        this.bound = bound;
        // A not-ready answer of the check under way may answer probes that came during it.
        this.shared = new SharedCheck<>(this::checkNow, report -> !report.ready(), SPACING);
    }

    /** The answer of a check begun after this call, within the bound; not ready without one. */
    public Report check() {
        return shared.answer(bound, UNREACHABLE).withWorkerThreadsDown(workerThreadsDown.getAsInt());
    }

    /** One check, over within the bound. */
    private Report checkNow() {
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
            return new Report(state.atHead(), true, state.atHead(), state.current(), 0);
        } catch (RuntimeException e) {
            log.warn("readiness: cannot read the schema history: {}", e.getMessage());
            return new Report(false, true, false, null, 0);
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
