package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.migrations.SchemaStatus;
import dev.eryao.support.TestDatabase;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Concurrent /readyz probes share one check, and a probe is told ready only by a check that began
 * after it arrived. Ordered without clocks: the first check is held inside the pool's
 * getConnection until every other probe is waiting for its answer.
 */
class ReadinessSharingTest {
    private static final int PROBES = 50;
    /** Far longer than the test needs, so no probe gives up on a loaded machine: only the order matters here. */
    private static final Duration PATIENT = Duration.ofSeconds(60);

    private final GatedDataSource pool =
            new GatedDataSource(TestDatabase.get().database().dataSource());
    private final ReadinessCheck readiness =
            new ReadinessCheck(pool, new SchemaStatus(TestDatabase.get().database()), PATIENT);

    @Test
    void probesThatArriveWhileACheckRunsShareTheNextOneInsteadOfEachAskingTheDatabase() throws Exception {
        CompletableFuture<ReadinessCheck.Report> first = probe();
        pool.heldAtTheGate.await();
        List<Thread> waiting = new ArrayList<>();
        List<CompletableFuture<ReadinessCheck.Report>> later = probes(PROBES, waiting);
        awaitAllWaitingForAnAnswer(waiting);

        pool.gate.countDown();

        assertThat(first.get().ready()).isTrue();
        assertThat(later).allSatisfy(report -> assertThat(report.get().ready()).isTrue());
        assertThat(pool.connections.get())
                .as("connections asked for by %d probes", PROBES + 1)
                .isEqualTo(2);
    }

    @Test
    void probesThatArriveAfterTheDatabaseStoppedAnsweringAreNotToldReadyByTheCheckBegunBefore() throws Exception {
        CompletableFuture<ReadinessCheck.Report> first = probe();
        pool.heldAtTheGate.await();
        pool.stopped = true; // the held check reached the database before; every later one is refused
        List<Thread> waiting = new ArrayList<>();
        List<CompletableFuture<ReadinessCheck.Report>> later = probes(PROBES, waiting);
        awaitAllWaitingForAnAnswer(waiting);

        pool.gate.countDown();

        assertThat(first.get().ready())
                .as("the probe that came before the outage")
                .isTrue();
        assertThat(later).allSatisfy(report -> {
            assertThat(report.get().ready()).isFalse();
            assertThat(report.get().database()).isFalse();
        });
        assertThat(pool.connections.get())
                .as("connections asked for by %d probes", PROBES + 1)
                .isEqualTo(2);
    }

    private CompletableFuture<ReadinessCheck.Report> probe() {
        return probes(1, new ArrayList<>()).getFirst();
    }

    private List<CompletableFuture<ReadinessCheck.Report>> probes(int count, List<Thread> threads) {
        List<CompletableFuture<ReadinessCheck.Report>> reports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CompletableFuture<ReadinessCheck.Report> report = new CompletableFuture<>();
            threads.add(Thread.ofVirtual().start(() -> report.complete(readiness.check())));
            reports.add(report);
        }
        return reports;
    }

    /**
     * Until each probe is parked on its bounded wait for an answer, which it reaches only after
     * joining a check. None may have been answered yet: the only check begun so far is held.
     */
    private static void awaitAllWaitingForAnAnswer(List<Thread> probes) throws InterruptedException {
        Instant giveUp = Instant.now().plus(PATIENT);
        while (!probes.stream().allMatch(probe -> probe.getState() == Thread.State.TIMED_WAITING)) {
            assertThat(probes)
                    .as("probes answered while the only check begun was still held")
                    .noneMatch(probe -> probe.getState() == Thread.State.TERMINATED);
            assertThat(Instant.now()).as("every probe waiting for an answer").isBefore(giveUp);
            Thread.sleep(5);
        }
    }

    /**
     * The suite's own pool, counting the connections asked of it. The first request waits at the
     * gate (having reached the database before anything stopped); once {@code stopped}, requests
     * made after that are refused as a server that went away refuses them.
     */
    private static final class GatedDataSource implements DataSource {
        final AtomicInteger connections = new AtomicInteger();
        final CountDownLatch heldAtTheGate = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        volatile boolean stopped;
        private final DataSource pool;

        GatedDataSource(DataSource pool) {
            this.pool = pool;
        }

        @Override
        public Connection getConnection() throws SQLException {
            boolean refused = stopped;
            if (connections.incrementAndGet() == 1) {
                heldAtTheGate.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted at the gate", e);
                }
            }
            if (refused) {
                throw new SQLException("Connection refused: the database stopped answering", "08001");
            }
            return pool.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException("the readiness check uses the pool's own login");
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
            return pool.unwrap(type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) throws SQLException {
            return pool.isWrapperFor(type);
        }
    }
}
