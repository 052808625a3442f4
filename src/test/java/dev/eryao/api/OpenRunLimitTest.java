package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.App;
import dev.eryao.core.auth.JwtVerifier;
import dev.eryao.core.config.AuthSettings;
import dev.eryao.core.config.RunsSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.core.config.ServerSettings;
import dev.eryao.support.TestApi;
import dev.eryao.support.TestDatabase;
import dev.eryao.support.TestKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One owner cannot take the queue: past {@code ERYAO_RUNS__MAX_OPEN_PER_OWNER} runs queued or
 * running, a run is refused with 429 problem+json and {@code Retry-After}, free models included,
 * and nothing is written; other owners are not affected, and a replay of an accepted run is still
 * answered with its run.
 */
class OpenRunLimitTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LIMIT = RunsSettings.DEFAULT_MAX_OPEN_PER_OWNER;
    private static App app;
    private static ApiServer server;
    private static final TestKeys keys = new TestKeys();
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        // The suite's own apps run with a higher limit (its tests race hundreds of one owner's runs).
        app = App.over(
                TestDatabase.get().database(), TestDatabase.get().settings().withRuns(RunsSettings.defaults()), null);
        server = app.api(
                        new ServerSettings("127.0.0.1", 0, TestApi.MAX_BODY_BYTES),
                        JwtVerifier.from(
                                new AuthSettings(keys.jwksUrl(), Secret.of(TestKeys.HS256_SECRET), TestKeys.ISSUER),
                                Clock.systemUTC()))
                .start();
    }

    @AfterAll
    static void stop() {
        app.close();
        keys.close();
    }

    @Test
    void aRunPastTheOwnersLimitIsRefusedWith429AndWritesNothingWhileOthersAreServed() throws Exception {
        UUID owner = UUID.randomUUID();
        String token = keys.hs256(TestKeys.claims(owner, "authenticated").build());
        grant(owner, 1);
        String session = session(token);
        for (int i = 0; i < LIMIT; i++) {
            assertThat(run(token, session, "run " + i, "key-" + i).statusCode())
                    .as("run %d", i)
                    .isEqualTo(202);
        }

        HttpResponse<String> refused = run(token, session, "one too many", "key-over");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(refused.headers().firstValue("Retry-After"))
                .hasValueSatisfying(
                        seconds -> assertThat(Integer.parseInt(seconds)).isPositive());
        assertThat(JSON.readTree(refused.body()).path("detail").asText())
                .contains("ERYAO_RUNS__MAX_OPEN_PER_OWNER")
                .contains(String.valueOf(LIMIT));
        assertThat(count("SELECT count(*) FROM agent_run WHERE owner_id = '" + owner + "'"))
                .isEqualTo(LIMIT);
        assertThat(count("SELECT count(*) FROM agent_chat_message WHERE owner_id = '" + owner + "'"))
                .as("no message without its run")
                .isEqualTo(LIMIT);

        assertThat(run(token, session, "run 0", "key-0").statusCode())
                .as("a replay is still its run")
                .isEqualTo(202);

        UUID other = UUID.randomUUID();
        String otherToken = keys.hs256(TestKeys.claims(other, "authenticated").build());
        grant(other, 1);
        assertThat(run(otherToken, session(otherToken), "mine", null).statusCode())
                .isEqualTo(202);

        try (var connection = TestDatabase.get().connection();
                var sql = connection.createStatement()) {
            sql.executeUpdate("UPDATE agent_run SET status = 'cancelled', finished_at = now()" + " WHERE owner_id = '"
                    + owner + "' AND input = 'run 3'");
        }
        assertThat(run(token, session, "one too many", "key-over").statusCode())
                .as("accepted once one of them has ended")
                .isEqualTo(202);
    }

    private void grant(UUID owner, long points) {
        app.points().grant(new dev.eryao.services.PointsService.Change(owner, points, "test", null, null, null));
    }

    private String session(String token) throws Exception {
        HttpResponse<String> created = send(
                "POST",
                "/v1/agent/sessions",
                token,
                "{\"title\":\"chat\",\"llm_id\":\"" + TestApi.freeModel() + "\"}",
                null);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("id").asText();
    }

    private HttpResponse<String> run(String token, String session, String input, String key) throws Exception {
        return send(
                "POST",
                "/v1/agent/sessions/" + session + "/runs",
                token,
                JSON.createObjectNode().put("input", input).toString(),
                key);
    }

    private HttpResponse<String> send(String method, String path, String token, String body, String key)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long count(String sql) throws Exception {
        try (var connection = TestDatabase.get().connection();
                var statement = connection.createStatement();
                var rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
