package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.App;
import dev.eryao.core.auth.JwtVerifier;
import dev.eryao.core.auth.TokenIssuer;
import dev.eryao.core.config.Environment;
import dev.eryao.core.config.PoolMode;
import dev.eryao.core.config.Secret;
import dev.eryao.core.config.ServerSettings;
import dev.eryao.core.config.Settings;
import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import dev.eryao.support.TestApi;
import dev.eryao.support.TestDatabase;
import dev.eryao.support.TestKeys;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The API over a PostgreSQL of its own that is stopped and started again: while it is down,
 * requests that need it answer 503 problem+json (after at most the connect timeout) and /readyz
 * says not ready every time it is asked, within its own bound; once it is back, the same server
 * answers again without a restart.
 *
 * <p>The durations measured are upper bounds with a generous margin for a loaded machine: they
 * prove that nothing waits past its timeout, not how fast anything is.
 */
class DatabaseOutageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(60);
    /** What a loaded, shared machine may add to a timeout before an answer counts as hung. */
    private static final Duration MARGIN = Duration.ofSeconds(5);

    private static final int READY_PROBES = 4;

    private final Path pgdata = TestDatabase.temporaryDirectory().resolve("pgdata");
    private final int port = freePort();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private EmbeddedPostgres postgres;
    private Database database;
    private App app;
    private ApiServer api;

    @AfterEach
    void stopEverything() throws IOException {
        if (api != null) {
            api.close();
        }
        if (app != null) {
            app.close();
        }
        if (database != null) {
            database.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void requestsAnswer503WhileTheDatabaseIsDownAndSucceedAgainOnceItIsBack() throws Exception {
        int connectTimeoutSeconds = 1;
        String token = startApi(connectTimeoutSeconds);
        HttpResponse<String> created = send("POST", "/v1/agent/sessions", token, "{\"title\":\"outage\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String path =
                "/v1/agent/sessions/" + JSON.readTree(created.body()).path("id").asText();
        assertThat(send("GET", "/readyz", null, null).statusCode())
                .as("ready before the outage")
                .isEqualTo(200);

        postgres.close(); // returns once the server has stopped
        Timed<HttpResponse<String>> down = timed(() -> send("GET", path, token, null));
        assertNotReadyEveryTime();

        assertThat(down.elapsed())
                .as(
                        "a request during the outage answers within the connect timeout (%d s) + %s",
                        connectTimeoutSeconds, MARGIN)
                .isLessThan(Duration.ofSeconds(connectTimeoutSeconds).plus(MARGIN));
        assertThat(down.value().statusCode()).as(down.value().body()).isEqualTo(503);
        assertThat(down.value().headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(down.value().headers().firstValue("Retry-After")).isPresent();
        JsonNode problem = JSON.readTree(down.value().body());
        assertThat(problem.path("status").asInt()).isEqualTo(503);
        assertThat(problem.path("detail").asText()).contains("database is unavailable");

        startPostgres();
        assertThat(statusOnceBack(path, token)).isEqualTo(200);
        assertThat(send("GET", "/readyz", null, null).statusCode()).isEqualTo(200);
    }

    /**
     * /readyz answers within its own short bound even when the pool would wait far longer for a
     * connection: a probe that waited out the connect timeout could see the database come back
     * and answer 200 about an outage it was asked during.
     */
    @Test
    void readinessAnswersWithinItsBoundWhenThePoolWouldWaitLonger() throws Exception {
        int connectTimeoutSeconds = 10; // longer than the bound plus the margin
        assertThat(Duration.ofSeconds(connectTimeoutSeconds)).isGreaterThan(ReadinessCheck.BOUND.plus(MARGIN));
        startApi(connectTimeoutSeconds);
        assertThat(send("GET", "/readyz", null, null).statusCode())
                .as("ready before the outage")
                .isEqualTo(200);

        postgres.close();
        assertNotReadyEveryTime();
    }

    /** Several probes while the server is down: every one 503, database false, within the bound + margin. */
    private void assertNotReadyEveryTime() throws Exception {
        for (int probe = 1; probe <= READY_PROBES; probe++) {
            Timed<HttpResponse<String>> ready = timed(() -> send("GET", "/readyz", null, null));
            assertThat(ready.value().statusCode())
                    .as(
                            "/readyz probe %d while the database is down: %s",
                            probe, ready.value().body())
                    .isEqualTo(503);
            assertThat(JSON.readTree(ready.value().body()).path("database").asBoolean())
                    .isFalse();
            assertThat(ready.value().headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(ready.elapsed())
                    .as("/readyz probe %d answers within its bound (%s) + %s", probe, ReadinessCheck.BOUND, MARGIN)
                    .isLessThan(ReadinessCheck.BOUND.plus(MARGIN));
        }
    }

    /** Our PostgreSQL, migrated, and the API over it; returns a token for a new owner. */
    private String startApi(int connectTimeoutSeconds) throws IOException {
        startPostgres();
        Settings settings = settings(TestDatabase.get().settings().database().poolMode(), connectTimeoutSeconds);
        try (Database migrations = Database.open(settings(PoolMode.SESSION, connectTimeoutSeconds))) {
            new Migrations(migrations, line -> {}).migrate();
        }
        database = Database.open(settings);
        app = App.over(database, settings, null);
        Secret secret = Secret.of(TestKeys.HS256_SECRET);
        api = app.api(
                        new ServerSettings("127.0.0.1", 0, TestApi.MAX_BODY_BYTES),
                        JwtVerifier.from(settings.auth().withSecret(secret), Clock.systemUTC()))
                .start();
        return new TokenIssuer(secret, null)
                .sign(UUID.randomUUID(), "authenticated", Duration.ofHours(1), Instant.now());
    }

    private record Timed<T>(T value, Duration elapsed) {}

    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> Timed<T> timed(Call<T> call) throws Exception {
        long start = System.nanoTime();
        T value = call.call();
        return new Timed<>(value, Duration.ofNanos(System.nanoTime() - start));
    }

    /** Polls until the answer is no longer 503 (the pool reconnects by itself), within a generous bound. */
    private int statusOnceBack(String path, String token) throws Exception {
        Instant deadline = Instant.now().plus(RECOVERY_LIMIT);
        int status;
        do {
            status = send("GET", path, token, null).statusCode();
            if (status != 503) {
                return status;
            }
            Thread.sleep(200);
        } while (Instant.now().isBefore(deadline));
        return status;
    }

    private void startPostgres() throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(pgdata.toFile())
                .setCleanDataDirectory(false)
                .setPort(port);
        TestDatabase.FAST_SERVER.forEach(builder::setServerConfig);
        postgres = builder.start();
    }

    /** A configured (not embedded) database on our server, in {@code mode}, giving up after the timeout. */
    private Settings settings(PoolMode mode, int connectTimeoutSeconds) {
        Map<String, String> variables = new HashMap<>();
        variables.put("ERYAO_DATA_DIR", pgdata.getParent().toString());
        variables.put("ERYAO_DATABASE__HOST", "127.0.0.1");
        variables.put("ERYAO_DATABASE__PORT", String.valueOf(port));
        variables.put("ERYAO_DATABASE__SSLMODE", "disable");
        variables.put("ERYAO_DATABASE__CONNECT_TIMEOUT_SECONDS", String.valueOf(connectTimeoutSeconds));
        variables.put("ERYAO_DATABASE__POOL_MODE", mode == PoolMode.TRANSACTION ? "transaction" : "session");
        return Settings.from(Environment.of(variables));
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
