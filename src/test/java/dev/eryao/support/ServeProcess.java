package dev.eryao.support;

import dev.eryao.cli.Main;
import dev.eryao.core.config.DatabaseSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code eryao serve} as a separate operating-system process (its own JVM, pool and caches) on a
 * free loopback port, over the suite's database in the pool mode under test and verifying HS256
 * tokens signed with {@link TestKeys#HS256_SECRET}. Several of them share one database the way
 * several deployments share Supabase's. {@link #close()} stops it with SIGTERM (then SIGKILL).
 */
public final class ServeProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    /** What {@code eryao worker} prints once it works; it has no port (0). */
    private static final Pattern WORKING = Pattern.compile("^worker \\S+: \\d+ run\\(s\\) at once()");

    private static final long START_LIMIT_SECONDS = 120;

    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final int port;

    private final Pattern ready;
    /** Reads the output until the process closes it. */
    private final Thread outputRead;

    private ServeProcess(Process process, Pattern ready) {
        this.process = process;
        this.ready = ready;
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> readOutput(listening), "serve-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        this.outputRead = reader;
        try {
            this.port = listening.get(START_LIMIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("serve did not start: " + output(), e);
        }
    }

    /** Starts one over the suite's database; it is listening when this returns. */
    public static ServeProcess start() {
        return start("serve", variables(TestDatabase.get().database().settings()));
    }

    /**
     * Starts {@code eryao serve} or {@code eryao worker} with these variables; it is listening (or
     * working) when this returns.
     */
    public static ServeProcess start(String command, Map<String, String> variables) {
        List<String> commandLine = List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                command);
        ProcessBuilder builder = new ProcessBuilder(commandLine).redirectErrorStream(true);
        builder.environment().putAll(variables);
        try {
            return new ServeProcess(builder.start(), "worker".equals(command) ? WORKING : LISTENING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The variables that point a child process at {@code db} (never the embedded one). */
    public static Map<String, String> variables(DatabaseSettings db) {
        Map<String, String> variables = new HashMap<>();
        variables.put("ERYAO_DATA_DIR", TestDatabase.temporaryDirectory().toString());
        variables.put("ERYAO_DATABASE__HOST", db.host());
        variables.put("ERYAO_DATABASE__PORT", String.valueOf(db.port()));
        variables.put("ERYAO_DATABASE__NAME", db.name());
        variables.put("ERYAO_DATABASE__USER", db.user());
        variables.put("ERYAO_DATABASE__PASSWORD", db.password().reveal());
        variables.put("ERYAO_DATABASE__SSLMODE", db.sslMode().pgValue());
        variables.put("ERYAO_DATABASE__POOL_MODE", db.poolMode().name().toLowerCase());
        variables.put("ERYAO_DATABASE__POOL_SIZE", "4");
        if (db.listenHost() != null) {
            variables.put("ERYAO_DATABASE__LISTEN_HOST", db.listenHost());
        }
        if (db.listenPort() != 0) {
            variables.put("ERYAO_DATABASE__LISTEN_PORT", String.valueOf(db.listenPort()));
        }
        variables.put("ERYAO_AUTH__JWT_SECRET", TestKeys.HS256_SECRET);
        variables.put("ERYAO_SERVER__PORT", "0");
        variables.put("ERYAO_RUNS__MAX_OPEN_PER_OWNER", TestDatabase.SUITE_MAX_OPEN_RUNS);
        // No worker unless a test asks for one: the suite's database holds other tests' runs, whose
        // models must never be called.
        variables.put("ERYAO_WORKER__CONCURRENCY", "0");
        return variables;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** Everything it printed so far (stdout and stderr), for failure messages. */
    public synchronized String output() {
        return String.join("\n", output);
    }

    /** How a {@link #stop} went: the exit status, how long the process took to end after the signal, its output. */
    public record Stopped(int exitStatus, Duration took, String output) {}

    /**
     * Sends {@code signal} ({@code TERM} or {@code INT}) and waits up to {@code limit} for the
     * process to end; null when it did not (it is then killed).
     */
    public Stopped stop(String signal, Duration limit) throws InterruptedException, IOException {
        long sent = System.nanoTime();
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
                .redirectErrorStream(true)
                .start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " failed: "
                    + new String(kill.getInputStream().readAllBytes()));
        }
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return null;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - sent);
        outputRead.join(Duration.ofSeconds(10));
        return new Stopped(process.exitValue(), took, output());
    }

    /** kill -9: the process gets no chance to finish anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void readOutput(CompletableFuture<Integer> listening) {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                synchronized (this) {
                    output.add(line);
                }
                Matcher matcher = ready.matcher(line);
                if (matcher.find()) {
                    listening.complete(matcher.group(1).isEmpty() ? 0 : Integer.parseInt(matcher.group(1)));
                }
            }
        } catch (IOException e) {
            listening.completeExceptionally(e);
        }
        listening.completeExceptionally(new IllegalStateException("serve exited"));
    }
}
