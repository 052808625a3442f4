package dev.eryao.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.LlmSettings;
import dev.eryao.support.FakeLlmServer;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.Failure;
import dev.eryao.support.FakeLlmServer.HangUp;
import dev.eryao.support.FakeLlmServer.RawStream;
import dev.eryao.support.FakeLlmServer.Stall;
import dev.eryao.support.FakeLlmServer.StreamThenDie;
import dev.eryao.support.FakeLlmServer.Streamed;
import dev.eryao.support.FakeLlmServer.Unstreamed;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A streamed completion over real HTTP from a loopback server speaking the providers' SSE protocol. */
class ChatCompletionsStreamTest {
    private static final int MAX_TOKENS = 100;

    private final FakeLlmServer fake = new FakeLlmServer();
    private final ChatCompletionsClient client =
            new ChatCompletionsClient(new LlmSettings(Duration.ofSeconds(10), MAX_TOKENS, Map.of()));
    private final List<ChatMessage> messages =
            List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "Grüß dich"));
    private final List<String> deltas = new CopyOnWriteArrayList<>();
    private final List<CountDownLatch> releases = new ArrayList<>();

    @AfterEach
    void release() {
        releases.forEach(CountDownLatch::countDown); // never leave a server thread waiting
        fake.close();
    }

    private ChatRequest request(Integer contextTokens, int maxTokens) {
        return new ChatRequest(fake.url(), "fake", "m", messages, maxTokens, contextTokens);
    }

    private Completion stream() {
        return client.stream(request(null, MAX_TOKENS), deltas::add, new CancelSignal());
    }

    private CountDownLatch latch() {
        CountDownLatch latch = new CountDownLatch(1);
        releases.add(latch);
        return latch;
    }

    /** What the project's prompt bound gives: UTF-8 bytes plus 8 per message and 8 for the reply. */
    private int promptBound() {
        return 8
                + messages.stream()
                        .mapToInt(m -> m.content().getBytes(StandardCharsets.UTF_8).length + 8)
                        .sum();
    }

    @Test
    void deltasReachTheListenerInOrderWhileTheServerStillHoldsTheRest() throws Exception {
        CountDownLatch hold = latch();
        CountDownLatch firstSeen = new CountDownLatch(1);
        List<String> pieces = List.of("Hel", "lo, ", "wörld");
        fake.then(new Streamed(pieces, Duration.ofMillis(5), 12, 3, hold));

        CompletableFuture<Completion> call = CompletableFuture.supplyAsync(() -> client.stream(
                request(null, MAX_TOKENS),
                text -> {
                    deltas.add(text);
                    firstSeen.countDown();
                },
                new CancelSignal()));

        assertThat(fake.awaitFirstPieceSent(10)).isTrue();
        assertThat(firstSeen.await(10, TimeUnit.SECONDS))
                .as("the first delta arrives")
                .isTrue();
        assertThat(call)
                .as("the call is still running: the server holds the rest")
                .isNotDone();
        assertThat(deltas).containsExactly("Hel");
        hold.countDown();
        Completion completion = call.get(10, TimeUnit.SECONDS);

        assertThat(deltas).containsExactlyElementsOf(pieces);
        assertThat(completion.content()).isEqualTo(String.join("", pieces));
        assertThat(completion.promptTokens()).isEqualTo(12);
        assertThat(completion.completionTokens()).isEqualTo(3);
        assertThat(completion.usageEstimated()).isFalse();
        assertThat(completion.cancelled()).isFalse();
        assertThat(completion.finishReason()).isEqualTo("stop");
        var body = fake.received().getFirst().body();
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("stream_options").path("include_usage").asBoolean())
                .isTrue();
        assertThat(body.path("max_tokens").asInt()).isEqualTo(MAX_TOKENS);
    }

    @Test
    void aConnectionClosedBeforeAnyAnswerIsARetryableFailureAndTheRequestIsNotSentAgain() {
        fake.then(new HangUp(), new Streamed(List.of("never"), Duration.ZERO, 12, 1));

        assertThatThrownBy(this::stream)
                .isInstanceOfSatisfying(
                        LlmCallException.class, e -> assertThat(e.retryable()).isTrue());
        assertThat(fake.received())
                .as("a paid call is never repeated within an attempt")
                .hasSize(1);
    }

    @Test
    void manyAnswersInARowOverKeptAliveConnectionsAllArriveWhole() throws Exception {
        try (var callers = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            List<java.util.concurrent.Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                answers.add(
                        callers.submit(() -> client.stream(request(null, MAX_TOKENS), text -> {}, new CancelSignal())
                                .content()));
            }
            for (var answer : answers) {
                assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo("Hello from the fake model.");
            }
        }
    }

    @Test
    void aStreamWithoutUsageIsEstimatedFromBytesAndMarked() {
        List<String> pieces = List.of("héllo", " wörld");
        fake.then(new Streamed(pieces, Duration.ZERO, null, null), new Streamed(pieces, Duration.ZERO, null, null));

        Completion completion = stream();

        assertThat(completion.content()).isEqualTo("héllo wörld");
        assertThat(completion.usageEstimated()).isTrue();
        assertThat(completion.cancelled()).isFalse();
        assertThat(completion.promptTokens()).isEqualTo(promptBound());
        assertThat(completion.completionTokens()).isEqualTo("héllo wörld".getBytes(StandardCharsets.UTF_8).length);

        Completion capped = client.stream(request(10, 4), text -> {}, new CancelSignal());
        assertThat(capped.promptTokens()).as("never more than the window").isEqualTo(10);
        assertThat(capped.completionTokens()).as("never more than max_tokens").isEqualTo(4);
        assertThat(capped.usageEstimated()).isTrue();
    }

    @Test
    void usageThatIsNotAWholeNumberOfAtLeastZeroIsRefused() {
        fake.then(
                new Streamed(List.of("a"), Duration.ZERO, -1, 3),
                new RawStream(List.of(
                        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":\"stop\"}]}",
                        "",
                        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":1.5}}",
                        "",
                        "data: [DONE]",
                        "")));

        assertThatThrownBy(this::stream).isInstanceOfSatisfying(LlmCallException.class, e -> {
            assertThat(e.getMessage()).contains("usable usage figures", "prompt_tokens -1");
            assertThat(e.retryable()).isFalse();
        });
        assertThatThrownBy(this::stream).isInstanceOfSatisfying(LlmCallException.class, e -> {
            assertThat(e.getMessage()).contains("completion_tokens 1.5");
            assertThat(e.retryable()).isFalse();
        });
    }

    @Test
    void commentsOtherFieldsAndUnspacedDataAreReadAsServerSentEvents() {
        fake.then(new RawStream(List.of(
                ": keep-alive",
                "",
                "event: message",
                "data:{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}",
                "",
                "id: 2",
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"one \"}}],\"usage\":null}",
                "",
                ": still here",
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"two\"},\"finish_reason\":\"length\"}]}",
                "",
                "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2}}",
                "",
                "data: [DONE]",
                "")));

        Completion completion = stream();

        assertThat(deltas).as("empty content is not a delta").containsExactly("one ", "two");
        assertThat(completion.finishReason()).isEqualTo("length");
        assertThat(completion.promptTokens()).isEqualTo(7);
        assertThat(completion.completionTokens()).isEqualTo(2);
    }

    @Test
    void aStatusBeforeTheStreamIsClassifiedAsForAWholeAnswer() {
        fake.then(
                new Failure(400, "{\"error\":{\"message\":\"unknown model\"}}"),
                new Failure(503, "{\"error\":{\"message\":\"overloaded\"}}"),
                new Failure(429, "{\"error\":{\"message\":\"slow down\"}}"));

        assertThatThrownBy(this::stream).isInstanceOfSatisfying(LlmCallException.class, e -> {
            assertThat(e.getMessage()).contains("answered 400", "unknown model");
            assertThat(e.summary()).doesNotContain("unknown model");
            assertThat(e.retryable()).isFalse();
        });
        assertThatThrownBy(this::stream).isInstanceOfSatisfying(LlmCallException.class, e -> {
            assertThat(e.getMessage()).contains("answered 503");
            assertThat(e.retryable()).isTrue();
        });
        assertThatThrownBy(this::stream).isInstanceOfSatisfying(LlmCallException.class, e -> {
            assertThat(e.getMessage()).contains("answered 429");
            assertThat(e.retryable()).isTrue();
        });
        assertThat(deltas).isEmpty();
    }

    @Test
    void aStreamThatDiesMidwayIsARetryableFailure() {
        fake.then(new StreamThenDie(List.of("half ", "an "), Duration.ZERO));

        assertThatThrownBy(this::stream).isInstanceOfSatisfying(LlmCallException.class, e -> {
            assertThat(e.getMessage()).contains("before the answer");
            assertThat(e.retryable()).isTrue();
        });
    }

    @Test
    void aMalformedEventIsAProviderErrorQuotingOnlyItsStart() {
        String conversation = "{\"choices\": [ this is not json, and it repeats the user's private words at length";
        fake.then(new RawStream(List.of(
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}",
                "",
                "data: " + conversation,
                "",
                "data: [DONE]",
                "")));

        assertThatThrownBy(this::stream).isInstanceOfSatisfying(LlmCallException.class, e -> {
            assertThat(e.getMessage())
                    .contains("not JSON", conversation.substring(0, 20))
                    .doesNotContain("private words");
            assertThat(e.summary()).doesNotContain("choices");
            assertThat(e.retryable()).isFalse();
        });
        assertThat(deltas).containsExactly("ok");
    }

    @Test
    void aServerThatIgnoresStreamTrueIsReadWhole() {
        fake.then(new Unstreamed(new Answer("all at once", 5, 3)));

        Completion completion = stream();

        assertThat(deltas).containsExactly("all at once");
        assertThat(completion.promptTokens()).isEqualTo(5);
        assertThat(completion.usageEstimated()).isFalse();
    }

    @Test
    void aSilentStreamIsGivenUpAfterTheIdleBound() {
        ChatCompletionsClient impatient = new ChatCompletionsClient(
                new LlmSettings(Duration.ofSeconds(10), MAX_TOKENS, Duration.ofSeconds(1), Map.of()));
        fake.then(new Streamed(List.of("first ", "never"), Duration.ZERO, 1, 1, latch()));

        assertThatThrownBy(() -> impatient.stream(request(null, MAX_TOKENS), deltas::add, new CancelSignal()))
                .isInstanceOfSatisfying(LlmCallException.class, e -> {
                    assertThat(e.getMessage()).contains("sent nothing for 1 s", "ERYAO_LLM__IDLE_SECONDS");
                    assertThat(e.retryable()).isTrue();
                });
        assertThat(deltas).containsExactly("first ");
    }

    @Test
    void aStreamThatKeepsTricklingPastTheTimeoutIsGivenUp() {
        ChatCompletionsClient quick =
                new ChatCompletionsClient(new LlmSettings(Duration.ofSeconds(1), MAX_TOKENS, Map.of()));
        List<String> pieces =
                IntStream.range(0, 100).mapToObj(i -> "t" + i + " ").toList();
        fake.then(new Streamed(pieces, Duration.ofMillis(100), 1, 1));

        assertThatThrownBy(() -> quick.stream(request(null, MAX_TOKENS), deltas::add, new CancelSignal()))
                .isInstanceOfSatisfying(LlmCallException.class, e -> {
                    assertThat(e.getMessage()).contains("within 1 s", "ERYAO_LLM__TIMEOUT_SECONDS");
                    assertThat(e.retryable()).isTrue();
                });
        assertThat(deltas).as("the rest was never read").hasSizeLessThan(pieces.size());
    }

    @Test
    void anErrorReportedInsideTheStreamIsARetryableFailureKeptOutOfTheLogs() {
        fake.then(new RawStream(List.of(
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}",
                "",
                "data: {\"error\":{\"message\":\"upstream overloaded while answering\",\"code\":502}}",
                "")));

        assertThatThrownBy(this::stream).isInstanceOfSatisfying(LlmCallException.class, e -> {
            assertThat(e.getMessage()).contains("reported an error in its stream", "upstream overloaded");
            assertThat(e.summary()).doesNotContain("upstream overloaded");
            assertThat(e.retryable()).isTrue();
        });
    }

    @Test
    void cancellingMidAnswerClosesTheModelsConnectionAndReturnsWhatArrived() throws Exception {
        CountDownLatch hold = latch();
        CountDownLatch firstSeen = new CountDownLatch(1);
        List<String> pieces =
                IntStream.range(0, 50).mapToObj(i -> "w" + i + " ").toList();
        fake.then(new Streamed(pieces, Duration.ofMillis(20), 100, 50, hold));
        CancelSignal cancel = new CancelSignal();

        CompletableFuture<Completion> call = CompletableFuture.supplyAsync(() -> client.stream(
                request(null, MAX_TOKENS),
                text -> {
                    deltas.add(text);
                    firstSeen.countDown();
                },
                cancel));
        assertThat(firstSeen.await(10, TimeUnit.SECONDS)).isTrue();
        cancel.cancel();
        List<String> seenAtCancel = List.copyOf(deltas);
        Completion completion = call.get(10, TimeUnit.SECONDS);
        hold.countDown(); // the server now writes the rest, to a connection the client should have closed

        assertThat(fake.awaitClientClosedStream(10))
                .as("the model's connection was closed")
                .isTrue();
        assertThat(deltas).as("nothing delivered after cancel returned").isEqualTo(seenAtCancel);
        assertThat(completion.cancelled()).isTrue();
        assertThat(completion.content())
                .isEqualTo(String.join("", seenAtCancel))
                .isEqualTo("w0 ");
        assertThat(completion.usageEstimated()).as("the usage chunk never came").isTrue();
        assertThat(completion.promptTokens()).isEqualTo(promptBound());
        assertThat(completion.completionTokens()).isEqualTo("w0 ".getBytes(StandardCharsets.UTF_8).length);
        assertThat(completion.finishReason()).isNull();
    }

    @Test
    void cancellingBeforeTheFirstByteAbortsTheRequestAndCountsThePromptOnly() throws Exception {
        CountDownLatch stall = latch();
        fake.then(new Stall(
                stall, new Streamed(List.of("too ", "late ", "to ", "matter ", "now"), Duration.ofMillis(20), 1, 1)));
        CancelSignal cancel = new CancelSignal();

        CompletableFuture<Completion> call =
                CompletableFuture.supplyAsync(() -> client.stream(request(null, MAX_TOKENS), deltas::add, cancel));
        assertThat(fake.awaitFirstRequest(10)).isTrue();
        cancel.cancel();
        Completion completion = call.get(10, TimeUnit.SECONDS);
        stall.countDown();

        assertThat(fake.awaitClientClosedStream(10))
                .as("the request's connection was closed")
                .isTrue();
        assertThat(deltas).isEmpty();
        assertThat(completion.cancelled()).isTrue();
        assertThat(completion.content()).isEmpty();
        assertThat(completion.usageEstimated()).isTrue();
        assertThat(completion.promptTokens())
                .as("the request was sent: its prompt counts")
                .isEqualTo(promptBound());
        assertThat(completion.completionTokens()).isZero();
    }

    @Test
    void aCallCancelledBeforeItStartsSendsNothingAndCountsNothing() {
        CancelSignal cancel = new CancelSignal();
        cancel.cancel();

        Completion completion = client.stream(request(null, MAX_TOKENS), deltas::add, cancel);

        assertThat(completion.cancelled()).isTrue();
        assertThat(completion.promptTokens()).isZero();
        assertThat(completion.completionTokens()).isZero();
        assertThat(fake.received()).isEmpty();
    }
}
