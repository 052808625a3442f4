package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.App;
import dev.eryao.core.auth.JwtVerifier;
import dev.eryao.core.config.AuthSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.core.config.ServerSettings;
import dev.eryao.support.EventStream;
import dev.eryao.support.TestApi;
import dev.eryao.support.TestDatabase;
import dev.eryao.support.TestKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CORS over real HTTP, on a server that lists one page origin in {@code ERYAO_SERVER__CORS_ORIGINS}:
 * that origin's preflights are answered and every answer it gets (successes, problems, an event
 * stream) lets the browser read it; another origin, or none, gets no CORS header; a server that
 * lists none answers as it always did.
 */
class CorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A front-end's origin: only ever a header's value, nothing listens there. */
    private static final String PAGE = "http://127.0.0.1:5173";

    private static final String OTHER = "http://127.0.0.1:5174";
    private static final TestKeys keys = new TestKeys();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static App app;
    private static ApiServer server;

    @BeforeAll
    static void start() {
        app = App.over(TestDatabase.get().database(), TestDatabase.get().settings(), null);
        server = app.api(
                        new ServerSettings(
                                "127.0.0.1",
                                0,
                                TestApi.MAX_BODY_BYTES,
                                ServerSettings.DEFAULT_REQUEST_HEADER_TIMEOUT,
                                ServerSettings.DEFAULT_REQUEST_BODY_TIMEOUT,
                                List.of(PAGE)),
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
    void aListedOriginsPreflightIsA204NamingWhatThePageMaySend() throws Exception {
        HttpResponse<String> preflight = send(
                "OPTIONS",
                "/v1/agent/sessions",
                null,
                "Origin",
                PAGE,
                "Access-Control-Request-Method",
                "POST",
                "Access-Control-Request-Headers",
                "authorization, content-type, idempotency-key");

        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(header(preflight, "Access-Control-Allow-Origin")).isEqualTo(PAGE);
        assertThat(List.of(header(preflight, "Access-Control-Allow-Methods").split(",\\s*")))
                .containsExactlyInAnyOrder("DELETE", "GET", "PATCH", "POST");
        assertThat(header(preflight, "Access-Control-Allow-Headers"))
                .isEqualTo("Authorization, Content-Type, Idempotency-Key, Last-Event-ID, apikey");
        assertThat(Integer.parseInt(header(preflight, "Access-Control-Max-Age")))
                .isPositive();
        assertThat(preflight.headers().allValues("Vary")).anyMatch(v -> v.contains("Origin"));
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials"))
                .as("bearer tokens, not cookies")
                .isEmpty();
        assertThat(preflight.body()).isEmpty();
    }

    @Test
    void anUnlistedOriginsPreflightGetsNoCorsHeaderAndIsThe405ItWas() throws Exception {
        HttpResponse<String> preflight =
                send("OPTIONS", "/v1/agent/sessions", null, "Origin", OTHER, "Access-Control-Request-Method", "POST");

        assertThat(preflight.statusCode()).isEqualTo(405);
        assertThat(preflight.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertNoCorsHeaders(preflight);
    }

    @Test
    void everyAnswerToTheListedOriginLetsItsPageReadItProblemsIncluded() throws Exception {
        UUID owner = UUID.randomUUID();
        String token = keys.es256(TestKeys.claims(owner, "authenticated").build());
        List<HttpResponse<String>> answers = new ArrayList<>();
        answers.add(send("GET", "/healthz", null, "Origin", PAGE));
        answers.add(send("GET", "/v1/agent/sessions", token, "Origin", PAGE));
        answers.add(send("GET", "/v1/agent/sessions", null, "Origin", PAGE));
        answers.add(send("GET", "/v1/agent/sessions/" + UUID.randomUUID(), token, "Origin", PAGE));
        answers.add(send("GET", "/v1/no-such-route", token, "Origin", PAGE));
        answers.add(send("PUT", "/v1/agent/sessions", token, "Origin", PAGE));
        answers.add(send("GET", "/v1/agent/sessions?limit=0", token, "Origin", PAGE));

        assertThat(answers).extracting(HttpResponse::statusCode).containsExactly(200, 200, 401, 404, 404, 405, 400);
        for (HttpResponse<String> answer : answers) {
            assertThat(header(answer, "Access-Control-Allow-Origin"))
                    .as(answer.uri() + " " + answer.statusCode())
                    .isEqualTo(PAGE);
            assertThat(answer.headers().allValues("Vary")).anyMatch(v -> v.contains("Origin"));
            assertThat(header(answer, "Access-Control-Expose-Headers"))
                    .contains("X-Request-Id")
                    .contains("Retry-After")
                    .contains("WWW-Authenticate");
        }
    }

    @Test
    void anUnlistedOriginOrNoneGetsNoCorsHeaderButTheSameAnswer() throws Exception {
        HttpResponse<String> other = send("GET", "/healthz", null, "Origin", OTHER);
        HttpResponse<String> none = send("GET", "/healthz", null);
        HttpResponse<String> refused = send("GET", "/v1/agent/sessions", null, "Origin", OTHER);

        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(none.statusCode()).isEqualTo(200);
        assertThat(refused.statusCode()).isEqualTo(401);
        for (HttpResponse<String> answer : List.of(other, none, refused)) {
            assertNoCorsHeaders(answer);
            assertThat(answer.headers().allValues("Vary"))
                    .as("it depends on Origin, so caches must know")
                    .anyMatch(v -> v.contains("Origin"));
        }
    }

    @Test
    void aTicketedEventStreamOpenedFromTheListedOriginCarriesItsHeaders() throws Exception {
        UUID owner = UUID.randomUUID();
        String token = keys.es256(TestKeys.claims(owner, "authenticated").build());
        String run = queuedRun(owner, token);
        HttpResponse<String> issued = send("POST", "/v1/agent/runs/" + run + "/events", token, "Origin", PAGE);
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
        assertThat(header(issued, "Access-Control-Allow-Origin")).isEqualTo(PAGE);
        String url = JSON.readTree(issued.body()).path("url").asText();

        try (EventStream stream = EventStream.openUrl(URI.create(base() + url), "Origin", PAGE)) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.headers().firstValue("Access-Control-Allow-Origin"))
                    .hasValue(PAGE);
            assertThat(stream.next(Duration.ofSeconds(30)).name()).isEqualTo("status");
        } finally {
            // Ends the stream (its run finished), so that none is open when the server stops.
            send("POST", "/v1/agent/runs/" + run + "/cancel", token);
        }
    }

    @Test
    void aServerThatListsNoOriginAnswersPreflightsAndRequestsAsBefore() throws Exception {
        TestApi.Response preflight = TestApi.get()
                .call(
                        "OPTIONS",
                        "/v1/agent/sessions",
                        null,
                        null,
                        "Origin",
                        PAGE,
                        "Access-Control-Request-Method",
                        "GET");
        TestApi.Response plain = TestApi.get().call("GET", "/healthz", null, null, "Origin", PAGE);

        assertThat(preflight.status()).isEqualTo(405);
        assertThat(plain.status()).isEqualTo(200);
        for (TestApi.Response answer : List.of(preflight, plain)) {
            assertNoCorsHeaders(answer.raw());
            assertThat(answer.raw().headers().allValues("Vary")).noneMatch(v -> v.contains("Origin"));
        }
    }

    private String queuedRun(UUID owner, String token) throws Exception {
        HttpResponse<String> granted = sendJson(
                "POST",
                "/v1/admin/points/grants",
                keys.es256(TestKeys.claims(UUID.randomUUID(), "service_role").build()),
                "{\"owner_id\":\"" + owner + "\",\"amount\":10,\"reason\":\"cors test\"}",
                "Idempotency-Key",
                "cors-" + UUID.randomUUID());
        assertThat(granted.statusCode()).as(granted.body()).isEqualTo(201);
        String session = JSON.readTree(sendJson(
                                "POST",
                                "/v1/agent/sessions",
                                token,
                                "{\"title\":\"cors\",\"llm_id\":\"" + TestApi.freeModel() + "\"}")
                        .body())
                .path("id")
                .asText();
        HttpResponse<String> accepted =
                sendJson("POST", "/v1/agent/sessions/" + session + "/runs", token, "{\"input\":\"hello\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return JSON.readTree(accepted.body()).path("task_id").asText();
    }

    private static void assertNoCorsHeaders(HttpResponse<String> answer) {
        assertThat(answer.headers().map().keySet())
                .as(answer.uri() + " " + answer.statusCode())
                .noneMatch(name -> name.toLowerCase(java.util.Locale.ROOT).startsWith("access-control-"));
    }

    private static String header(HttpResponse<String> answer, String name) {
        return answer.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " header"));
    }

    private static String base() {
        return "http://127.0.0.1:" + server.port();
    }

    private static HttpResponse<String> send(String method, String path, String token, String... headers)
            throws Exception {
        return sendJson(method, path, token, null, headers);
    }

    /** {@code body} (JSON, or null for none) with {@code headers} as name, value pairs. */
    private static HttpResponse<String> sendJson(
            String method, String path, String token, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path))
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
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
