package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.auth.JwtVerifier;
import dev.eryao.core.config.AuthSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.core.config.ServerSettings;
import dev.eryao.support.TestApi;
import dev.eryao.support.TestDatabase;
import dev.eryao.support.TestKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that sends its request a byte at a time (slowloris) is cut off, however steadily it
 * sends: each byte would restart Jetty's idle timeout, but the headers, and then the body, must be
 * complete within their bounds. A server of its own with 1-second bounds; the assertions only ask
 * that the server gave up well before a generous deadline, never how fast.
 */
class SlowClientTest {
    /** Far beyond the 1-second bounds (and their sweep), far below the 30-second idle timeout it must not need. */
    private static final long GIVE_UP_MILLIS = 20_000;
    /** Well under the idle timeout: the connection is never idle. */
    private static final int DRIBBLE_MILLIS = 200;

    private static ApiServer server;
    private static String token;

    @BeforeAll
    static void start() {
        TestApi shared = TestApi.get();
        TestKeys keys = shared.keys();
        AuthSettings auth = new AuthSettings(keys.jwksUrl(), Secret.of(TestKeys.HS256_SECRET), TestKeys.ISSUER);
        server = TestDatabase.get()
                .app()
                .api(
                        new ServerSettings(
                                "127.0.0.1", 0, TestApi.MAX_BODY_BYTES, Duration.ofSeconds(1), Duration.ofSeconds(1)),
                        JwtVerifier.from(auth, Clock.systemUTC()))
                .start();
        token = shared.userToken(UUID.randomUUID());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** What the server said before it closed the connection; fails if it was still open at the deadline. */
    private static String dribble(String head, String slowPart) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(DRIBBLE_MILLIS);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            long deadline = System.currentTimeMillis() + GIVE_UP_MILLIS;
            byte[] buffer = new byte[4096];
            for (int i = 0; System.currentTimeMillis() < deadline; i++) {
                try {
                    out.write(slowPart.charAt(i % slowPart.length()));
                    out.flush();
                } catch (IOException closedByServer) {
                    return answer.toString(StandardCharsets.ISO_8859_1);
                }
                try {
                    int read = in.read(buffer);
                    if (read < 0) {
                        return answer.toString(StandardCharsets.ISO_8859_1);
                    }
                    answer.write(buffer, 0, read);
                } catch (SocketTimeoutException stillOpen) {
                    // nothing yet: send the next byte
                } catch (IOException reset) {
                    return answer.toString(StandardCharsets.ISO_8859_1);
                }
            }
            throw new AssertionError("the server still had the connection open after " + GIVE_UP_MILLIS
                    + " ms of a byte every " + DRIBBLE_MILLIS + " ms; it had answered: " + answer);
        }
    }

    @Test
    void aClientDribblingItsHeadersIsDisconnected() throws IOException {
        dribble("GET /v1/agent/sessions HTTP/1.1\r\nHost: t\r\nX-Slow: ", "abcdefgh");
    }

    @Test
    void aClientDribblingItsRequestLineIsDisconnected() throws IOException {
        dribble("G", "ET /" + "a".repeat(1_000));
    }

    @Test
    void aClientDribblingItsBodyIsAnswered408AndDisconnected() throws IOException {
        String answer = dribble(
                "POST /v1/agent/sessions HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + token
                        + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"title\":\"",
                "x");
        assertThat(answer)
                .startsWith("HTTP/1.1 408 ")
                .containsIgnoringCase("Content-Type: application/problem+json")
                .contains("\"status\":408");
    }

    @Test
    void aPromptClientOnTheSameServerIsServed() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            String body = "{\"title\":\"prompt\"}";
            socket.getOutputStream()
                    .write(("POST /v1/agent/sessions HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + token
                                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                                    + "\r\nConnection: close\r\n\r\n" + body)
                            .getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 201 ");
        }
    }
}
