package dev.eryao.provider;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.LlmSettings;
import dev.eryao.support.FakeLlmServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Failures to reach a model are named as what they are, on loopback. */
class ChatCompletionsClientTest {
    private final ChatCompletionsClient client = new ChatCompletionsClient(
            new LlmSettings(Duration.ofSeconds(5), LlmSettings.DEFAULT_MAX_OUTPUT_TOKENS, Map.of()));
    private final List<ChatMessage> hello = List.of(new ChatMessage("user", "hello"));

    private Completion call(ChatCompletionsClient with, String url) {
        return with.stream(new ChatRequest(url, "x", "m", hello, 10, null), DeltaListener.ignore(), new CancelSignal());
    }

    @Test
    void aPortNobodyListensOnIsConnectionRefused() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/v1/chat/completions";

        assertThatThrownBy(() -> call(client, url))
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("connection refused");
    }

    @Test
    void httpsToAServerThatSpeaksPlainHttpIsATlsFailureNotRetried() throws Exception {
        try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofVirtual().start(() -> {
                try (var socket = plain.accept()) {
                    socket.getInputStream().read(new byte[512]); // the ClientHello
                    socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes());
                } catch (IOException ignored) {
                    // the test's assertion says what happened
                }
            });
            String url = "https://127.0.0.1:" + plain.getLocalPort() + "/v1/chat/completions";

            assertThatThrownBy(() -> call(client, url)).isInstanceOfSatisfying(LlmCallException.class, e -> {
                org.assertj.core.api.Assertions.assertThat(e.getMessage()).contains("TLS failed");
                org.assertj.core.api.Assertions.assertThat(e.retryable()).isFalse();
            });
            server.join(5_000);
        }
    }

    @Test
    void aModelThatDoesNotAnswerInTimeIsNamedAsATimeout() {
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        ChatCompletionsClient quick = new ChatCompletionsClient(new LlmSettings(Duration.ofSeconds(1), 10, Map.of()));
        try (FakeLlmServer slow = new FakeLlmServer()) {
            slow.then(new FakeLlmServer.Stall(never, new FakeLlmServer.Answer("late", 1, 1)));

            assertThatThrownBy(() -> call(quick, slow.url()))
                    .isInstanceOf(LlmCallException.class)
                    .hasMessageContaining("did not answer within 1 s");
        } finally {
            never.countDown();
        }
    }
}
