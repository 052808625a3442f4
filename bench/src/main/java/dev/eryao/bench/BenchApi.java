package dev.eryao.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.auth.TokenIssuer;
import dev.eryao.core.config.Settings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * The serve process's API on loopback, as the benchmark fixture's owners 1..n ({@link Fixtures}),
 * with tokens signed by ERYAO_AUTH__JWT_SECRET.
 */
final class BenchApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    // longer than any benchmark runs, so no token expires during a measurement
    private static final Duration TOKEN_LIFETIME = Duration.ofHours(3);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String[] tokens;
    private final Duration timeout;

    private BenchApi(int port, int owners, Duration timeout) {
        base = "http://127.0.0.1:" + port;
        tokens = new String[owners + 1];
        TokenIssuer issuer = new TokenIssuer(Settings.load().auth().jwtSecret(), null);
        Instant now = Instant.now();
        for (int i = 1; i <= owners; i++) {
            tokens[i] = issuer.sign(BenchIds.owner(i), "authenticated", TOKEN_LIFETIME, now);
        }
        this.timeout = timeout;
    }

    /** Every request given up after 60 s without an answer. */
    static BenchApi withTimeouts(int port, int owners) {
        return new BenchApi(port, owners, REQUEST_TIMEOUT);
    }

    /** Requests without a timeout of their own: an event stream is read for as long as its run lasts. */
    static BenchApi withoutTimeouts(int port, int owners) {
        return new BenchApi(port, owners, null);
    }

    HttpRequest.Builder request(int owner, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (timeout != null) {
            request.timeout(timeout);
        }
        return request.header("Authorization", "Bearer " + tokens[owner]);
    }

    /** The answer's JSON; anything but {@code expected} is an error naming the request and the answer. */
    JsonNode send(HttpRequest request, int expected) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != expected) {
            throw new IllegalStateException(request.method() + " " + request.uri().getPath() + " answered "
                    + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    /** A run's steps as {@code GET /v1/agent/runs/{task_id}/steps} lists them, whether bare or in an envelope. */
    JsonNode steps(int owner, String run) throws IOException, InterruptedException {
        JsonNode answer = send(request(owner, "/v1/agent/runs/" + run + "/steps").GET().build(), 200);
        return answer.isArray() ? answer : firstArray(answer);
    }

    private static JsonNode firstArray(JsonNode object) {
        for (JsonNode value : object) {
            if (value.isArray()) {
                return value;
            }
        }
        throw new IllegalStateException("the steps' answer holds no list: " + object);
    }

    /** A time as the API writes it: ISO-8601 text, or epoch seconds as a decimal number. */
    static Instant instant(JsonNode value) {
        if (value.isNumber()) {
            return Instant.ofEpochSecond(0, value.decimalValue().movePointRight(9).longValue());
        }
        return Instant.parse(value.asText());
    }
}
