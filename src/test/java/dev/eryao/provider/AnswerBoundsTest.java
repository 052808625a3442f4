package dev.eryao.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.LlmSettings;
import dev.eryao.support.FakeLlmServer;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.Endless;
import dev.eryao.support.FakeLlmServer.Flood;
import dev.eryao.support.FakeLlmServer.Streamed;
import dev.eryao.support.FakeLlmServer.Unstreamed;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A provider that sends more than its {@code max_tokens} can make — an endless answer with small
 * usage, a line or an event without end, a huge error or whole body — is stopped at a named bound:
 * the reading ends, the connection is closed (the loopback model sees its writes fail), and the
 * attempt fails for good. Nothing here needs the memory the provider tries to fill: each hostile
 * body is far larger than its bound and than what the sockets buffer between the two ends.
 */
class AnswerBoundsTest {
    /** Far past every bound below, and past what loopback sockets buffer. */
    private static final long HOSTILE_BYTES = 32L << 20;

    private static final int SMALL_CAP = 100;

    private final FakeLlmServer fake = new FakeLlmServer();
    private final ChatCompletionsClient client =
            new ChatCompletionsClient(new LlmSettings(Duration.ofSeconds(10), SMALL_CAP, Map.of()));
    private final List<String> deltas = new CopyOnWriteArrayList<>();
    private final List<ChatMessage> messages = List.of(new ChatMessage("user", "hello"));

    @AfterEach
    void close() {
        fake.close();
    }

    private Completion stream(int maxTokens) {
        return client.stream(
                new ChatRequest(fake.url(), "fake", "m", messages, maxTokens, null), deltas::add, new CancelSignal());
    }

    /** Fails for good with a message that says {@code named}, and the provider saw its connection closed. */
    private void failsForGoodAtABound(ThrowingCallable call, String... named) throws InterruptedException {
        assertThatThrownBy(call).isInstanceOfSatisfying(LlmCallException.class, failure(named));
        assertThat(fake.awaitClientClosedStream(10))
                .as("the client closed the connection")
                .isTrue();
    }

    private static Consumer<LlmCallException> failure(String... named) {
        return e -> {
            assertThat(e.getMessage()).contains(named).contains("not read further");
            assertThat(e.retryable())
                    .as("retrying would pay for the same again")
                    .isFalse();
        };
    }

    private long deliveredBytes() {
        return String.join("", deltas).getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void anEndlessAnswerWithSmallUsageStopsAtTheTextBoundDerivedFromMaxTokens() throws Exception {
        long bound = (long) SMALL_CAP * LlmSettings.DEFAULT_ANSWER_BYTES_PER_TOKEN;
        fake.then(new Flood("flood ".repeat(170), HOSTILE_BYTES, 10, 10));

        failsForGoodAtABound(
                () -> stream(SMALL_CAP),
                bound + " bytes of text",
                "max_tokens allows (" + SMALL_CAP + " × ERYAO_LLM__ANSWER_BYTES_PER_TOKEN "
                        + LlmSettings.DEFAULT_ANSWER_BYTES_PER_TOKEN + ")");
        assertThat(deliveredBytes())
                .as("nothing past the bound reached the listener")
                .isLessThanOrEqualTo(bound);
    }

    @Test
    void theTextBoundCountsBytesSoMultiByteTextHasItsRoom() {
        ChatCompletionsClient tight = new ChatCompletionsClient(
                new LlmSettings(Duration.ofSeconds(10), SMALL_CAP, Duration.ofSeconds(10), 4, Map.of()));
        ChatRequest tenTokens = new ChatRequest(fake.url(), "fake", "m", messages, 10, null);
        fake.then(
                new Streamed(List.of("😀😀", "😀😀😀", "😀😀😀😀😀"), Duration.ZERO, 1, 10),
                new Streamed(List.of("😀😀", "😀😀😀", "😀😀😀😀😀", "!"), Duration.ZERO, 1, 10));

        assertThat(tight.stream(tenTokens, text -> {}, new CancelSignal()).content())
                .as("40 bytes: exactly 10 tokens × 4")
                .hasSize(20);
        assertThatThrownBy(() -> tight.stream(tenTokens, text -> {}, new CancelSignal()))
                .isInstanceOfSatisfying(LlmCallException.class, failure("40 bytes of text"));
    }

    @Test
    void aLineWithoutAnEndStopsAtTheLineBound() throws Exception {
        fake.then(new Endless(
                200,
                "text/event-stream",
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"",
                "a",
                HOSTILE_BYTES));

        failsForGoodAtABound(
                () -> stream(LlmSettings.DEFAULT_MAX_OUTPUT_TOKENS),
                "a line of more than " + AnswerLimits.LINE_BYTES + " bytes");
        assertThat(deltas).isEmpty();
    }

    @Test
    void anEventOfEndlessDataLinesStopsAtTheEventBound() throws Exception {
        fake.then(new Endless(200, "text/event-stream", "", "data: " + "b".repeat(1000) + "\n", HOSTILE_BYTES));

        failsForGoodAtABound(
                () -> stream(LlmSettings.DEFAULT_MAX_OUTPUT_TOKENS),
                "an event of more than " + AnswerLimits.EVENT_BYTES + " bytes");
    }

    @Test
    void aStreamOfEmptyChunksStopsAtTheBodyBound() throws Exception {
        long bound = new AnswerLimits(SMALL_CAP, LlmSettings.DEFAULT_ANSWER_BYTES_PER_TOKEN).bodyBytes();
        fake.then(new Endless(
                200,
                "text/event-stream",
                "",
                "data: {\"choices\":[{\"index\":0,\"delta\":{}}]}\n\n: keep-alive\n\n",
                HOSTILE_BYTES));

        failsForGoodAtABound(
                () -> stream(SMALL_CAP), "a body of more than " + bound + " bytes", "max_tokens " + SMALL_CAP);
    }

    @Test
    void aHugeErrorBodyStopsAtTheErrorBodyBoundAndIsNotRetried() throws Exception {
        fake.then(new Endless(503, "text/html", "<html><body>", "<p>overloaded</p>", HOSTILE_BYTES));

        failsForGoodAtABound(
                () -> stream(SMALL_CAP),
                "answered 503 with a body of more than " + AnswerLimits.ERROR_BODY_BYTES + " bytes");
    }

    @Test
    void aHugeBodyThatIsNotAStreamStopsAtTheBodyBound() throws Exception {
        long bound = new AnswerLimits(SMALL_CAP, LlmSettings.DEFAULT_ANSWER_BYTES_PER_TOKEN).bodyBytes();
        fake.then(
                new Endless(200, "application/json", "{\"choices\":[{\"message\":{\"content\":\"", "a", HOSTILE_BYTES));

        failsForGoodAtABound(() -> stream(SMALL_CAP), "a body of more than " + bound + " bytes");
        assertThat(deltas).isEmpty();
    }

    @Test
    void aWholeAnswerWithMoreTextThanMaxTokensAllowsIsRefusedUndelivered() {
        fake.then(new Unstreamed(new Answer("word ".repeat(1000), 10, 10)));

        assertThatThrownBy(() -> stream(SMALL_CAP))
                .isInstanceOfSatisfying(
                        LlmCallException.class,
                        failure(SMALL_CAP * LlmSettings.DEFAULT_ANSWER_BYTES_PER_TOKEN + " bytes of text"));
        assertThat(deltas).isEmpty();
    }

    @Test
    void anAnswerWithinEveryBoundArrivesWholeAndLeavesItsConnectionForTheNextCall() {
        String piece = "x".repeat(LlmSettings.DEFAULT_ANSWER_BYTES_PER_TOKEN);
        List<String> pieces = java.util.Collections.nCopies(SMALL_CAP, piece);
        for (int i = 0; i < 20; i++) {
            fake.then(new Streamed(pieces, Duration.ZERO, 1, SMALL_CAP));
        }

        for (int i = 0; i < 20; i++) {
            assertThat(stream(SMALL_CAP).content())
                    .as("the answer exactly at its bound")
                    .hasSize(piece.length() * SMALL_CAP);
        }
        assertThat(fake.clientClosedStreams()).as("no connection was cut").isZero();
    }
}
