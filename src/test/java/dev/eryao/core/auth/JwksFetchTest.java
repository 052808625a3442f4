package dev.eryao.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.eryao.support.TestKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the key set is fetched, against a JWKS server on loopback that can hold its answer back or
 * send too much: one fetch for many concurrent requests, a bounded body, a bounded wait.
 */
class JwksFetchTest {
    private static final String PATH = "/auth/v1/.well-known/jwks.json";

    private final ECKey key = TestKeys.generateEc("es-key-1");
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch answer = new CountDownLatch(1);
    private final ExecutorService callers = Executors.newFixedThreadPool(8);
    private HttpServer server;

    @AfterEach
    void stop() {
        answer.countDown();
        callers.shutdownNow();
        if (server != null) {
            server.stop(0);
        }
    }

    /** A JWKS endpoint that counts requests and answers {@code body} once {@link #answer} opens. */
    private URI serve(byte[] body) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext(PATH, exchange -> {
            requests.incrementAndGet();
            try {
                answer.await();
                reply(exchange, body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    private static void reply(HttpExchange exchange, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    private byte[] publicSet() {
        return new JWKSet(key.toPublicJWK()).toString(true).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void concurrentRequestsShareOneFetch() throws Exception {
        JwksKeySource source = new JwksKeySource(serve(publicSet()), Clock.systemUTC());
        List<Future<List<Key>>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            results.add(callers.submit(() -> source.keysFor("es-key-1", JWSAlgorithm.ES256)));
        }
        while (requests.get() == 0) {
            Thread.sleep(10);
        }
        // The fetch is held until the other callers have had time to ask too: they wait for it.
        Thread.sleep(300);
        answer.countDown();
        for (Future<List<Key>> result : results) {
            assertThat(result.get(30, TimeUnit.SECONDS)).hasSize(1);
        }
        assertThat(requests.get()).isEqualTo(1);
    }

    @Test
    void aKeySetOverTheSizeLimitIsRefused() {
        String padding = "x".repeat(JwksKeySource.MAX_BODY_BYTES);
        String body =
                new JWKSet(key.toPublicJWK()).toString(true).replaceFirst("\\{", "{\"padding\":\"" + padding + "\",");
        answer.countDown();
        JwksKeySource source = new JwksKeySource(serve(body.getBytes(StandardCharsets.UTF_8)), Clock.systemUTC());

        assertThatThrownBy(() -> source.keysFor("es-key-1", JWSAlgorithm.ES256))
                .isInstanceOf(KeySourceUnavailableException.class)
                .rootCause()
                .hasMessageContaining("limit");
    }

    @Test
    void aServerThatNeverAnswersIsGivenUpOn() {
        JwksKeySource source = new JwksKeySource(serve(publicSet()), Clock.systemUTC());

        assertThatThrownBy(() -> source.keysFor("es-key-1", JWSAlgorithm.ES256))
                .isInstanceOf(KeySourceUnavailableException.class)
                .rootCause()
                .hasMessageContaining("timed out");
        assertThat(requests.get()).isEqualTo(1);
    }

    @Test
    void theDoctorCountsThePublishedKeysAfresh() {
        answer.countDown();
        JwksKeySource source = new JwksKeySource(serve(publicSet()), Clock.systemUTC());

        assertThat(source.keysFor("es-key-1", JWSAlgorithm.ES256)).hasSize(1);
        assertThat(source.fetchKeyCount()).isEqualTo(1);
        assertThat(requests.get()).as("not from the cache").isEqualTo(2);
    }
}
