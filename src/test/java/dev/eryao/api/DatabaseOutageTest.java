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
 * requests that need it answer 503 problem+json (after at most the connect timeout, 1 s here) and
 * /readyz says not ready; once it is back, the same server answers again without a restart.
 */
class DatabaseOutageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(60);

    private final Path pgdata = TestDatabase.temporaryDirectory().resolve("pgdata");
    private final int port = freePort();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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
        startPostgres();
        Settings settings = settings(TestDatabase.get().settings().database().poolMode());
        try (Database migrations = Database.open(settings(PoolMode.SESSION))) {
            new Migrations(migrations, line -> { }).migrate();
        }
        database = Database.open(settings);
        app = new App(database, null);
        Secret secret = Secret.of(TestKeys.HS256_SECRET);
        api = app.api(new ServerSettings("127.0.0.1", 0, TestApi.MAX_BODY_BYTES),
                JwtVerifier.from(settings.auth().withSecret(secret), Clock.systemUTC())).start();
        String token = new TokenIssuer(secret, null).sign(UUID.randomUUID(), "authenticated", Duration.ofHours(1),
                Instant.now());
        HttpResponse<String> created = send("POST", "/v1/agent/sessions", token, "{\"title\":\"outage\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String path = "/v1/agent/sessions/" + JSON.readTree(created.body()).path("id").asText();

        postgres.close();
        HttpResponse<String> down = send("GET", path, token, null);
        HttpResponse<String> notReady = send("GET", "/readyz", null, null);

        assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
        assertThat(down.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(down.headers().firstValue("Retry-After")).isPresent();
        JsonNode problem = JSON.readTree(down.body());
        assertThat(problem.path("status").asInt()).isEqualTo(503);
        assertThat(problem.path("detail").asText()).contains("database is unavailable");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(notReady.body()).path("database").asBoolean()).isFalse();

        startPostgres();
        assertThat(statusOnceBack(path, token)).isEqualTo(200);
        assertThat(send("GET", "/readyz", null, null).statusCode()).isEqualTo(200);
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
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(pgdata.toFile())
                .setCleanDataDirectory(false).setPort(port);
        TestDatabase.FAST_SERVER.forEach(builder::setServerConfig);
        postgres = builder.start();
    }

    /** A configured (not embedded) database on our server, in {@code mode}, quick to give up. */
    private Settings settings(PoolMode mode) {
        Map<String, String> variables = new HashMap<>();
        variables.put("ERYAO_DATA_DIR", pgdata.getParent().toString());
        variables.put("ERYAO_DATABASE__HOST", "127.0.0.1");
        variables.put("ERYAO_DATABASE__PORT", String.valueOf(port));
        variables.put("ERYAO_DATABASE__SSLMODE", "disable");
        variables.put("ERYAO_DATABASE__CONNECT_TIMEOUT_SECONDS", "1");
        variables.put("ERYAO_DATABASE__POOL_MODE", mode == PoolMode.TRANSACTION ? "transaction" : "session");
        return Settings.from(Environment.of(variables));
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
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
