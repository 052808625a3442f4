package dev.eryao.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.api.ApiServer;
import dev.eryao.core.auth.JwtVerifier;
import dev.eryao.core.config.AuthSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.core.config.ServerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

/**
 * The real API server, started once per test JVM on a free loopback port over {@link TestDatabase},
 * verifying tokens with {@link TestKeys}: ES256/RS256 from its loopback JWKS, and its HS256 secret.
 * Tests talk to it over real HTTP with {@link #call}, and every answer they receive is checked
 * against the server's own OpenAPI document ({@link ApiContract}): an answer the document does not
 * describe fails the test that asked for it, naming the route, the status and what differs.
 */
public final class TestApi {
    public static final int MAX_BODY_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestApi instance;
    private static java.util.UUID freeModel;

    private final TestKeys keys = new TestKeys();
    private final ApiServer server;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ApiContract contract;

    private TestApi() {
        AuthSettings auth = new AuthSettings(keys.jwksUrl(), Secret.of(TestKeys.HS256_SECRET), TestKeys.ISSUER);
        server = TestDatabase.get()
                .app()
                .api(new ServerSettings("127.0.0.1", 0, MAX_BODY_BYTES), JwtVerifier.from(auth, Clock.systemUTC()))
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            keys.close();
        }));
    }

    /**
     * A free model in the suite's catalog, for sessions whose runs are only accepted (a run needs a
     * model to be accepted); no worker runs over the suite's database, so nothing ever calls it.
     */
    public static synchronized java.util.UUID freeModel() {
        if (freeModel == null) {
            var catalog = TestDatabase.get().app().catalog();
            java.util.UUID factory = catalog.createFactory("test-free-" + java.util.UUID.randomUUID())
                    .id();
            freeModel = catalog.createModel(new dev.eryao.services.ModelDraft(
                            factory,
                            "free",
                            "Free test model",
                            "http://127.0.0.1:9/v1/chat/completions",
                            java.math.BigDecimal.ZERO,
                            java.math.BigDecimal.ZERO,
                            128_000,
                            true))
                    .id();
        }
        return freeModel;
    }

    public static synchronized TestApi get() {
        if (instance == null) {
            instance = new TestApi();
        }
        return instance;
    }

    public ApiServer server() {
        return server;
    }

    /** The served OpenAPI document, as the check every answer of {@link #call} passes. */
    public synchronized ApiContract contract() {
        if (contract == null) {
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/openapi.json"))
                    .timeout(Duration.ofSeconds(30))
                    .build();
            try {
                contract = ApiContract.of(
                        http.send(request, HttpResponse.BodyHandlers.ofString()).body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return contract;
    }

    public TestKeys keys() {
        return keys;
    }

    /** A user's token as Supabase would issue it (ES256, from the JWKS). */
    public String userToken(UUID sub) {
        return keys.es256(TestKeys.claims(sub, "authenticated").build());
    }

    public String serviceToken(UUID sub) {
        return keys.es256(TestKeys.claims(sub, "service_role").build());
    }

    public Response get(String path, String token) {
        return call("GET", path, token, null);
    }

    /**
     * {@code POST /v1/admin/points/grants} with {@code body} and a fresh {@code Idempotency-Key}
     * (the route requires one), so each call is a new grant.
     */
    public Response grant(String token, String body) {
        return call("POST", "/v1/admin/points/grants", token, body, "Idempotency-Key", "test-" + UUID.randomUUID());
    }

    /**
     * Sends {@code body} (JSON text, or null for none) as application/json; extra headers as name,
     * value pairs ({@code "Content-Type", ""} sends the body with no content type).
     */
    public Response call(String method, String path, String token, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        String contentType = body == null ? "" : "application/json";
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i].equalsIgnoreCase("Content-Type")) {
                contentType = headers[i + 1];
            } else {
                request.setHeader(headers[i], headers[i + 1]);
            }
        }
        if (!contentType.isEmpty()) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            contract()
                    .check(new ApiContract.Exchange(
                            method,
                            path,
                            response.statusCode(),
                            response.headers().map(),
                            response.body()));
            return new Response(
                    response.statusCode(),
                    response.body(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Response(int status, String body, String contentType, HttpResponse<String> raw) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        public boolean isProblem() {
            return contentType.startsWith("application/problem+json")
                    && json().path("status").asInt() == status;
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
