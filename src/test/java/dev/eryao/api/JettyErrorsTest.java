package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.support.TestApi;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Requests Jetty itself refuses, before any route runs, are answered like every other error: an
 * RFC 9457 problem (application/problem+json), not Jetty's HTML page.
 */
class JettyErrorsTest {
    private final TestApi api = TestApi.get();

    private String send(String head) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", api.server().port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void malformedRequestsAreAnsweredWithAProblem() throws Exception {
        String token = api.userToken(UUID.randomUUID());
        String auth = "Authorization: Bearer " + token + "\r\n";
        Map<String, String> requests = new LinkedHashMap<>();
        requests.put(
                "angle brackets in the path",
                "GET /v1/agent/sessions/<id> HTTP/1.1\r\nHost: t\r\n" + auth + "Connection: close\r\n\r\n");
        requests.put(
                "bad percent-encoding",
                "GET /v1/agent/sessions/%zz HTTP/1.1\r\nHost: t\r\n" + auth + "Connection: close\r\n\r\n");
        requests.put(
                "a header line without a colon",
                "GET /v1/agent/sessions HTTP/1.1\r\nHost: t\r\nNoColonHere\r\n" + auth + "Connection: close\r\n\r\n");
        requests.put(
                "an unknown HTTP version", "GET /v1/agent/sessions HTTP/7.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        requests.put(
                "two Content-Lengths",
                "POST /v1/agent/sessions HTTP/1.1\r\nHost: t\r\n" + auth
                        + "Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}");
        // Last: once in CI (Jetty 12.1.12, a loaded machine) the next connection's answer came
        // after the unread tail of these refused headers, a race inside Jetty's buffers that no
        // run here reproduced (docs/testing.md). Every answer is still checked whole.
        requests.put(
                "headers too large",
                "GET /v1/agent/sessions HTTP/1.1\r\nHost: t\r\nX-Big: " + "a".repeat(20_000)
                        + "\r\nConnection: close\r\n\r\n");
        for (Map.Entry<String, String> request : requests.entrySet()) {
            String answer = send(request.getValue());
            assertThat(answer).as(request.getKey()).matches("(?s)HTTP/1\\.1 (4\\d\\d|505) .*");
            int status = Integer.parseInt(answer.substring(9, 12));
            String head = answer.substring(0, answer.indexOf("\r\n\r\n"));
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            assertThat(head)
                    .as(request.getKey() + ": " + answer)
                    .containsIgnoringCase("Content-Type: application/problem+json");
            JsonNode problem = new ObjectMapper().readTree(body);
            assertThat(problem.get("status").asInt()).as(request.getKey()).isEqualTo(status);
            assertThat(problem.get("title").asText()).as(request.getKey()).isNotBlank();
            assertThat(problem.get("detail").asText()).as(request.getKey()).isNotBlank();
        }
    }
}
