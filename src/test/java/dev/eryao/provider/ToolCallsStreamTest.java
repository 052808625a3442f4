package dev.eryao.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.config.LlmSettings;
import dev.eryao.support.FakeLlmServer;
import dev.eryao.support.FakeLlmServer.CallsTools;
import dev.eryao.support.FakeLlmServer.RawStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tools offered and called over real HTTP, from a loopback server speaking OpenAI's streamed tool calls. */
class ToolCallsStreamTest {
    private static final int MAX_TOKENS = 100;

    private final FakeLlmServer fake = new FakeLlmServer();
    private final ChatCompletionsClient client =
            new ChatCompletionsClient(new LlmSettings(Duration.ofSeconds(10), MAX_TOKENS, Map.of()));
    private final List<String> deltas = new CopyOnWriteArrayList<>();
    private final ToolDefinition weather = new ToolDefinition(
            "get_weather",
            "The weather in a city",
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");

    @AfterEach
    void close() {
        fake.close();
    }

    private Completion stream(List<ChatMessage> messages, int maxTokens) {
        return client.stream(
                new ChatRequest(fake.url(), "fake", "m", messages, maxTokens, null, List.of(weather)),
                deltas::add,
                new CancelSignal());
    }

    @Test
    void severalCallsInOneAnswerAreAssembledByIndexFromInterleavedFragments() {
        List<ToolCall> asked = List.of(
                new ToolCall("call_a", "get_weather", "{\"city\":\"Zürich\"}"),
                new ToolCall("call_b", "get_weather", "{\"city\":\"Paris, \\\"France\\\"\"}"),
                new ToolCall("call_c", "get_time", "{}"));
        fake.then(new CallsTools("Let me look. ", asked, 3, 40, 30, null));

        Completion completion = stream(List.of(new ChatMessage("user", "weather?")), MAX_TOKENS);

        assertThat(completion.toolCalls()).containsExactlyElementsOf(asked);
        assertThat(completion.callsTools()).isTrue();
        assertThat(completion.finishReason()).isEqualTo("tool_calls");
        assertThat(completion.content()).isEqualTo("Let me look. ");
        assertThat(deltas).containsExactly("Let me look. ");
        assertThat(completion.promptTokens()).isEqualTo(40);
        assertThat(completion.completionTokens()).isEqualTo(30);
    }

    @Test
    void theRequestOffersTheToolsAndSendsEarlierCallsAndTheirResults() {
        fake.then(new FakeLlmServer.Answer("It is sunny.", 10, 3));
        List<ChatMessage> conversation = List.of(
                new ChatMessage("user", "weather?"),
                ChatMessage.assistantCalls("", List.of(new ToolCall("call_a", "get_weather", "{\"city\":\"Bern\"}"))),
                ChatMessage.toolResult("call_a", "sunny, 21 °C"));

        Completion completion = stream(conversation, MAX_TOKENS);

        assertThat(completion.content()).isEqualTo("It is sunny.");
        assertThat(completion.callsTools()).isFalse();
        JsonNode sent = fake.received().getFirst().body();
        assertThat(sent.path("tool_choice").asText()).isEqualTo("auto");
        JsonNode function = sent.path("tools").path(0);
        assertThat(function.path("type").asText()).isEqualTo("function");
        assertThat(function.path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(function.path("function").path("description").asText()).isEqualTo("The weather in a city");
        assertThat(function.path("function")
                        .path("parameters")
                        .path("required")
                        .path(0)
                        .asText())
                .isEqualTo("city");
        JsonNode assistant = sent.path("messages").path(1);
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        assertThat(assistant.path("content").isNull()).isTrue();
        assertThat(assistant.path("tool_calls").path(0).path("id").asText()).isEqualTo("call_a");
        assertThat(assistant.path("tool_calls").path(0).path("type").asText()).isEqualTo("function");
        assertThat(assistant
                        .path("tool_calls")
                        .path(0)
                        .path("function")
                        .path("arguments")
                        .asText())
                .isEqualTo("{\"city\":\"Bern\"}");
        JsonNode result = sent.path("messages").path(2);
        assertThat(result.path("role").asText()).isEqualTo("tool");
        assertThat(result.path("tool_call_id").asText()).isEqualTo("call_a");
        assertThat(result.path("content").asText()).isEqualTo("sunny, 21 °C");
    }

    @Test
    void aRequestWithoutToolsSendsNoToolsField() {
        fake.then(new FakeLlmServer.Answer("hi", 1, 1));
        client.stream(
                new ChatRequest(fake.url(), "fake", "m", List.of(new ChatMessage("user", "hi")), MAX_TOKENS, null),
                deltas::add,
                new CancelSignal());
        JsonNode sent = fake.received().getFirst().body();
        assertThat(sent.has("tools")).isFalse();
        assertThat(sent.has("tool_choice")).isFalse();
    }

    @Test
    void aWholeAnswerWithToolCallsAndNoContentIsReadToo() {
        List<ToolCall> asked = List.of(new ToolCall("call_1", "get_weather", "{\"city\":\"Oslo\"}"));
        ChunkDecoder.Chunk whole = new ChunkDecoder(CalledModel.of("fake", "m", fake.url()), new ObjectMapper())
                .whole(new ChunkWriter("id", "m", false).wholeToolCalls(asked, 5, 6), new AnswerLimits(100, 32));

        assertThat(whole.text()).isEmpty();
        assertThat(whole.finishReason()).isEqualTo("tool_calls");
        assertThat(whole.toolCalls())
                .containsExactly(new ChunkDecoder.ToolCallPiece(0, "call_1", "get_weather", "{\"city\":\"Oslo\"}"));
    }

    @Test
    void argumentsCountTowardTheAnswersBound() {
        // 10 tokens × 32 bytes: 320 bytes of output at most, arguments included.
        String big = "{\"city\":\"" + "x".repeat(400) + "\"}";
        fake.then(new CallsTools("", List.of(new ToolCall("call_a", "get_weather", big)), 50, 1, 1, null));

        assertThatThrownBy(() -> stream(List.of(new ChatMessage("user", "x")), 10))
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("passed 320 bytes");
    }

    @Test
    void withoutUsageTheEstimateCountsTheCallsAndTheOfferedTools() {
        ToolCall call = new ToolCall("call_a", "get_weather", "{\"city\":\"Rome\"}");
        fake.then(new CallsTools("", List.of(call), 4, null, null, null));
        List<ChatMessage> messages = List.of(new ChatMessage("user", "weather?"));

        Completion completion = stream(messages, MAX_TOKENS);

        assertThat(completion.usageEstimated()).isTrue();
        long callBytes = "call_a".length()
                + "get_weather".length()
                + call.argumentsJson().length();
        assertThat(completion.completionTokens()).isEqualTo((int) callBytes);
        long toolBytes = weather.name().length()
                + weather.description().length()
                + weather.parametersJson().length()
                + 8;
        assertThat(completion.promptTokens()).isEqualTo((int) (8 + toolBytes + "weather?".length() + 8));
    }

    @Test
    void aCallWithoutANameIsABadAnswerAndAMissingIdIsNamedByItsIndex() {
        fake.then(new RawStream(List.of(
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                        + "{\"name\":\"get_weather\",\"arguments\":\"{}\"}}]}}]}",
                "",
                "data: {\"choices\":[{\"index\":0,\"finish_reason\":\"tool_calls\",\"delta\":{}}]}",
                "",
                "data: [DONE]",
                "")));
        Completion completion = stream(List.of(new ChatMessage("user", "x")), MAX_TOKENS);
        assertThat(completion.toolCalls()).containsExactly(new ToolCall("call_0", "get_weather", "{}"));

        fake.then(new RawStream(List.of(
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\","
                        + "\"function\":{\"arguments\":\"{}\"}}]}}]}",
                "",
                "data: {\"choices\":[{\"index\":0,\"finish_reason\":\"tool_calls\",\"delta\":{}}]}",
                "",
                "data: [DONE]",
                "")));
        assertThatThrownBy(() -> stream(List.of(new ChatMessage("user", "x")), MAX_TOKENS))
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("without naming the tool");
    }

    @Test
    void aToolCallWhoseIndexIsNotACountIsRefused() {
        fake.then(new RawStream(List.of(
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":\"0\",\"id\":\"c\","
                        + "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}}]}",
                "",
                "data: [DONE]",
                "")));
        assertThatThrownBy(() -> stream(List.of(new ChatMessage("user", "x")), MAX_TOKENS))
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("without a whole index");
    }
}
