package dev.eryao.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.config.LlmSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stand-in speaks the protocol the worker and real providers speak. */
class StandInModelTest {
    @Test
    void itAnswersARequestWithoutStreamWholeAsTheClientReadsAWholeAnswer() throws Exception {
        try (StandInModel model = StandInModel.start(0);
                HttpClient http = HttpClient.newHttpClient()) {
            String body = "{\"model\":\"llama3.2\",\"max_tokens\":100,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(model.url()))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            ChunkDecoder.Chunk whole = new ChunkDecoder(
                            CalledModel.of("local", "llama3.2", model.url()), new ObjectMapper())
                    .whole(response.body(), new AnswerLimits(100, 32));
            assertThat(whole.text()).isEqualTo("(stand-in) You said: hello there");
            assertThat(whole.finishReason()).isEqualTo("stop");
            assertThat(whole.usage().promptTokens()).isPositive();
            assertThat(whole.usage().completionTokens()).isPositive().isLessThanOrEqualTo(100);
        }
    }

    @Test
    void itStreamsWhatTheClientReadsWordByWordWithTheUsageChunkLast() throws Exception {
        try (StandInModel model = StandInModel.start(0, Duration.ZERO)) {
            List<String> deltas = new ArrayList<>();
            Completion completion = new ChatCompletionsClient(new LlmSettings(Duration.ofSeconds(5), 100, Map.of()))
                    .stream(
                            new ChatRequest(
                                    model.url(),
                                    "local",
                                    "llama3.2",
                                    List.of(new ChatMessage("user", "hello there")),
                                    100,
                                    2048),
                            deltas::add,
                            new CancelSignal());

            assertThat(deltas).hasSizeGreaterThan(1);
            assertThat(String.join("", deltas)).isEqualTo("(stand-in) You said: hello there");
            assertThat(completion.content()).isEqualTo(String.join("", deltas));
            assertThat(completion.usageEstimated())
                    .as("the stand-in sends the include_usage chunk")
                    .isFalse();
            assertThat(completion.promptTokens()).isPositive();
            assertThat(completion.completionTokens()).isPositive().isLessThanOrEqualTo(100);
            assertThat(completion.finishReason()).isEqualTo("stop");
        }
    }

    @Test
    void itSendsUsageOnlyWhenAskedAsOpenAiDoes() throws Exception {
        try (StandInModel model = StandInModel.start(0, Duration.ZERO);
                HttpClient http = HttpClient.newHttpClient()) {
            String body = "{\"model\":\"x\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a b c\"}]}";
            String plain = http.send(
                            HttpRequest.newBuilder(URI.create(model.url()))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();

            assertThat(plain).contains("data: [DONE]").doesNotContain("\"usage\"");
        }
    }

    @Test
    void itStreamsServerSentEventsEndingInDone() throws Exception {
        try (StandInModel model = StandInModel.start(0, Duration.ZERO);
                HttpClient http = HttpClient.newHttpClient()) {
            String body = "{\"model\":\"x\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"a b c\"}]}";
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(model.url()))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
            assertThat(response.body())
                    .contains("\"delta\":{\"content\":\"(stand-in) \"}", "\"choices\":[],\"usage\":{", "data: [DONE]");
        }
    }

    @Test
    void offeredToolsItCallsWhatTheLastMessageAsksForInFragmentsThenQuotesTheResults() throws Exception {
        try (StandInModel model = StandInModel.start(0, Duration.ZERO)) {
            ChatCompletionsClient client =
                    new ChatCompletionsClient(new LlmSettings(Duration.ofSeconds(5), 100, Map.of()));
            List<ToolDefinition> tools = List.of(
                    new ToolDefinition("demo__echo", "Echoes", "{\"type\":\"object\"}"),
                    new ToolDefinition("demo__add", "Adds", "{\"type\":\"object\"}"));
            List<ChatMessage> asked = List.of(new ChatMessage(
                    "user",
                    "please call demo__echo {\"text\": \"hello, tools\"} and call demo__add {\"a\": 2, \"b\": 3}"
                            + " but not call unknown {\"x\": 1}"));

            Completion calls = client.stream(
                    new ChatRequest(model.url(), "local", "llama3.2", asked, 100, 2048, tools),
                    DeltaListener.ignore(),
                    new CancelSignal());

            assertThat(calls.finishReason()).isEqualTo("tool_calls");
            assertThat(calls.toolCalls()).extracting(ToolCall::name).containsExactly("demo__echo", "demo__add");
            assertThat(calls.toolCalls().get(0).argumentsJson()).isEqualTo("{\"text\":\"hello, tools\"}");
            assertThat(calls.toolCalls().get(1).argumentsJson()).isEqualTo("{\"a\":2,\"b\":3}");
            assertThat(calls.toolCalls().get(0).id())
                    .isNotEqualTo(calls.toolCalls().get(1).id());

            List<ChatMessage> answered = new ArrayList<>(asked);
            answered.add(ChatMessage.assistantCalls("", calls.toolCalls()));
            answered.add(ChatMessage.toolResult(calls.toolCalls().get(0).id(), "hello, tools"));
            answered.add(ChatMessage.toolResult(calls.toolCalls().get(1).id(), "5"));
            Completion answer = client.stream(
                    new ChatRequest(model.url(), "local", "llama3.2", answered, 100, 2048, tools),
                    DeltaListener.ignore(),
                    new CancelSignal());

            assertThat(answer.callsTools()).isFalse();
            assertThat(answer.content())
                    .isEqualTo("(stand-in) The tools answered: demo__echo: hello, tools; demo__add: 5");
        }
    }

    @Test
    void withoutToolsOfferedItEchoesEvenAMessageThatAsksForOne() throws Exception {
        try (StandInModel model = StandInModel.start(0, Duration.ZERO)) {
            Completion answer = new ChatCompletionsClient(new LlmSettings(Duration.ofSeconds(5), 100, Map.of()))
                    .stream(
                            new ChatRequest(
                                    model.url(),
                                    "local",
                                    "llama3.2",
                                    List.of(new ChatMessage("user", "call demo__echo {}")),
                                    100,
                                    2048),
                            DeltaListener.ignore(),
                            new CancelSignal());
            assertThat(answer.callsTools()).isFalse();
            assertThat(answer.content()).isEqualTo("(stand-in) You said: call demo__echo {}");
        }
    }
}
