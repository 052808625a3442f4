package dev.eryao.bench;

import dev.eryao.core.auth.TokenIssuer;
import dev.eryao.core.config.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the fault drivers share: an HTTP client for the server on 127.0.0.1:{@code port}, and the
 * benchmark fixture's owners (1..n) with tokens signed by ERYAO_AUTH__JWT_SECRET. A request that
 * gets no answer within {@link #REQUEST_LIMIT} counts as hung.
 */
final class FaultClient {
    static final Duration REQUEST_LIMIT = Duration.ofSeconds(30);

    /** One request's outcome; status 0 when no HTTP answer came (refused, reset, timed out). */
    record Answer(long startedMs, long millis, int status, String contentType, String body) {
        boolean isProblem() {
            return contentType.startsWith("application/problem+json");
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String[] tokens;
    private final int owners;

    FaultClient(int port, int owners) {
        this.base = "http://127.0.0.1:" + port;
        this.owners = owners;
        this.tokens = new String[owners + 1];
        TokenIssuer issuer = new TokenIssuer(Settings.load().auth().jwtSecret(), null);
        for (int i = 1; i <= owners; i++) {
            tokens[i] = issuer.sign(BenchIds.owner(i), "authenticated", Duration.ofHours(2), Instant.now());
        }
    }

    int anyOwner() {
        return 1 + ThreadLocalRandom.current().nextInt(owners);
    }

    String token(int owner) {
        return tokens[owner];
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_LIMIT);
    }

    /** GET one owner's session: the normal traffic of every fault scenario. */
    Answer getSession(int owner) {
        return send(request("/v1/agent/sessions/" + BenchIds.session(owner))
                .header("Authorization", "Bearer " + tokens[owner]).GET().build());
    }

    Answer enqueue(int owner, String idempotencyKey) {
        return send(request("/v1/agent/sessions/" + BenchIds.session(owner) + "/runs")
                .header("Authorization", "Bearer " + tokens[owner])
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"fault test\"}")).build());
    }

    Answer send(HttpRequest request) {
        long started = System.currentTimeMillis();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(started, System.currentTimeMillis() - started, response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(started, System.currentTimeMillis() - started, 0, "", "interrupted");
        } catch (Exception e) {
            return new Answer(started, System.currentTimeMillis() - started, 0, "", e.toString());
        }
    }

    static UUID newKey() {
        return UUID.randomUUID();
    }
}
