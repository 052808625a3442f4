package dev.eryao.support;

import dev.eryao.core.config.DatabaseSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs PostgreSQL's own client, psql, on a script: how a DBA would apply offline SQL. */
public final class Psql {
    private Psql() {}

    /** psql on the PATH, or from a PostgreSQL installation under /usr/lib/postgresql. */
    public static Path find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, "psql");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        try (Stream<Path> installs = Files.list(Path.of("/usr/lib/postgresql"))) {
            return installs.map(dir -> dir.resolve("bin/psql"))
                    .filter(Files::isExecutable)
                    .sorted()
                    .reduce((first, second) -> second)
                    .orElseThrow(() -> new IllegalStateException("psql not found; .ci/run installs postgresql-client"));
        } catch (IOException e) {
            throw new IllegalStateException("psql not found; .ci/run installs postgresql-client", e);
        }
    }

    /** Applies {@code script} with ON_ERROR_STOP; returns psql's combined output, or throws if it failed. */
    public static String apply(DatabaseSettings db, String script) throws IOException, InterruptedException {
        Path file = Files.createTempFile("eryao-offline-", ".sql");
        Files.writeString(file, script);
        ProcessBuilder builder = new ProcessBuilder(List.of(
                        find().toString(),
                        "-X",
                        "-q",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-h",
                        db.host(),
                        "-p",
                        String.valueOf(db.port()),
                        "-U",
                        db.user(),
                        "-d",
                        db.name(),
                        "-f",
                        file.toString()))
                .redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", db.password().reveal());
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("psql did not finish");
        }
        Files.deleteIfExists(file);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("psql failed (" + process.exitValue() + "): " + output);
        }
        return output;
    }
}
