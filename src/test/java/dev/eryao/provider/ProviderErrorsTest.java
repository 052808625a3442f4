package dev.eryao.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.LlmSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.support.FakeLlmServer;
import dev.eryao.support.FakeLlmServer.Failure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a failed call says, and to whom: its message (a run's error, read by the run's owner) names
 * the model by factory and code, never its {@code request_url}; its summary (the logs) says where
 * the model is, without credentials; neither ever holds the provider key, not even when the HTTP
 * client refuses to build the request because of it.
 */
class ProviderErrorsTest {
    private static final String KEY_START = "sk-live-51Hx";
    private static final String KEY_END = "Zq8Wd3Rt6Yp9";

    private final FakeLlmServer fake = new FakeLlmServer();
    private final List<ChatMessage> hello = List.of(new ChatMessage("user", "hello"));

    @AfterEach
    void close() {
        fake.close();
    }

    private static ChatCompletionsClient clientWithKey(String key) {
        return new ChatCompletionsClient(new LlmSettings(Duration.ofSeconds(5), 100, Map.of("FAKE", Secret.of(key))));
    }

    private Completion stream(ChatCompletionsClient client, String url) {
        return client.stream(new ChatRequest(url, "fake", "m", hello, 100, null), text -> {}, new CancelSignal());
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aKeyAHeaderCannotCarryFailsForGoodNamingItsVariableAndNeverTheKey() {
        ChatCompletionsClient client = clientWithKey(KEY_START + "\u200B" + KEY_END);

        assertThatThrownBy(() -> stream(client, fake.url())).isInstanceOfSatisfying(LlmCallException.class, e -> {
            assertThat(e.getMessage())
                    .contains(
                            "ERYAO_LLM__FAKE__API_KEY",
                            "the model fake/m",
                            "not allowed in an HTTP header (U+200B ZERO WIDTH SPACE at position 13)");
            for (String text : List.of(e.getMessage(), e.summary())) {
                assertThat(text).doesNotContain(KEY_START).doesNotContain(KEY_END);
            }
            assertThat(e.getCause())
                    .as("the HTTP client's message quotes the header")
                    .isNull();
            assertThat(e.retryable()).isFalse();
        });
        assertThat(fake.received()).as("nothing was sent").isEmpty();
    }

    @Test
    void aRequestUrlThatIsNotAUrlFailsForGoodWithoutQuotingIt() {
        ChatCompletionsClient client = clientWithKey("k");
        String spaced = fake.url().replace("chat/completions", "chat completions");

        assertThatThrownBy(() -> stream(client, spaced)).isInstanceOfSatisfying(LlmCallException.class, e -> {
            assertThat(e.getMessage()).isEqualTo("the request_url of the model fake/m is not a URL");
            assertThat(e.summary()).contains("Illegal character in path at index");
            assertThat(e.retryable()).isFalse();
        });
        assertThatThrownBy(() -> stream(client, "ftp://127.0.0.1/v1/chat/completions"))
                .isInstanceOfSatisfying(LlmCallException.class, e -> {
                    assertThat(e.getMessage())
                            .startsWith("the request_url of the model fake/m cannot be called")
                            .doesNotContain("ftp:");
                    assertThat(e.getCause()).isNull();
                    assertThat(e.retryable()).isFalse();
                });
    }

    @Test
    void anOwnersErrorNamesTheModelAndOnlyTheLogsSayWhereItIs() {
        fake.then(new Failure(503, "{\"error\":{\"message\":\"overloaded\"}}"));

        assertThatThrownBy(() -> stream(clientWithKey("k"), fake.url()))
                .isInstanceOfSatisfying(LlmCallException.class, e -> {
                    assertThat(e.getMessage())
                            .startsWith("the model fake/m answered 503")
                            .contains("overloaded")
                            .doesNotContain(fake.url())
                            .doesNotContain("127.0.0.1");
                    assertThat(e.summary())
                            .contains("the model fake/m answered 503", "request_url " + fake.url())
                            .doesNotContain("overloaded");
                });
    }

    @Test
    void anUnreachableModelIsNamedForItsOwnerAndLocatedForTheLogsWithoutCredentials() throws IOException {
        int port = closedPort();
        String url = "http://admin:hunter2@127.0.0.1:" + port + "/v1/chat/completions?key=AIzaSyD-private";

        assertThatThrownBy(() -> stream(clientWithKey("k"), url)).isInstanceOfSatisfying(LlmCallException.class, e -> {
            assertThat(e.getMessage())
                    .isEqualTo("cannot reach the model fake/m: connection refused (is the server running?)");
            assertThat(e.summary())
                    .contains("request_url http://…@127.0.0.1:" + port + "/v1/chat/completions?…")
                    .doesNotContain("hunter2")
                    .doesNotContain("AIzaSyD");
            assertThat(e.retryable()).isTrue();
        });
    }
}
