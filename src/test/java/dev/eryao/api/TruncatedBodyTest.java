package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.support.TestApi;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A client that promises more body than it sends and then stops sending (found by bench/faults'
 * malformed flood): the request is bad, not the server, so the answer is a 400 problem, never a 500.
 */
class TruncatedBodyTest {
    @Test
    void aBodyShorterThanItsContentLengthIsABadRequest() throws Exception {
        TestApi api = TestApi.get();
        String token = api.userToken(UUID.randomUUID());
        for (String length : new String[] {"100", "99999999"}) {
            try (Socket socket = new Socket("127.0.0.1", api.server().port())) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/agent/sessions HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " + token
                                + "\r\nContent-Type: application/json\r\nContent-Length: " + length
                                + "\r\nConnection: close\r\n\r\n{\"title\":\"x\"}")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                socket.shutdownOutput();
                InputStream in = socket.getInputStream();
                String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);

                assertThat(answer)
                        .as("Content-Length " + length)
                        .matches("(?s)HTTP/1\\.1 4\\d\\d .*")
                        .contains("application/problem+json");
            }
        }
    }
}
