package dev.eryao.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The OpenAI chat-completions JSON read into text, finish reason and usage, and refused when it is not that. */
class ChunkDecoderTest {
    private static final String REQUEST_URL = "http://10.0.0.5:11434/v1/chat/completions";

    private final ChunkDecoder decoder = new ChunkDecoder(CalledModel.of("fake", "m", REQUEST_URL), new ObjectMapper());
    private final AnswerLimits limits = new AnswerLimits(10, 4);

    /** An owner-facing failure that names the model, never where it is, and says {@code named}. */
    private static Consumer<LlmCallException> failure(boolean retryable, String... named) {
        return e -> {
            assertThat(e.getMessage())
                    .contains("the model fake/m")
                    .contains(named)
                    .doesNotContain("10.0.0.5");
            assertThat(e.retryable()).isEqualTo(retryable);
        };
    }

    @Test
    void aChunkGivesItsTextFinishReasonAndUsage() {
        ChunkDecoder.Chunk chunk = decoder.chunk(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Grüß\\n\"},"
                        + "\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2,\"total_tokens\":9}}");

        assertThat(chunk).isEqualTo(new ChunkDecoder.Chunk("Grüß\n", "length", new ChunkDecoder.Usage(7, 2)));
    }

    @Test
    void aChunkWithoutTextOrUsageHasEmptyTextAndNone() {
        assertThat(decoder.chunk("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null},"
                        + "\"finish_reason\":null}],\"usage\":null}"))
                .isEqualTo(new ChunkDecoder.Chunk("", null, null));
        assertThat(decoder.chunk("{\"choices\":[],\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":0}}"))
                .isEqualTo(new ChunkDecoder.Chunk("", null, new ChunkDecoder.Usage(0, 0)));
        assertThat(decoder.chunk("{}")).isEqualTo(new ChunkDecoder.Chunk("", null, null));
    }

    @Test
    void doneEndsTheStreamWhateverItsSpaces() {
        assertThat(ChunkDecoder.isDone("[DONE]")).isTrue();
        assertThat(ChunkDecoder.isDone(" [DONE] ")).isTrue();
        assertThat(ChunkDecoder.isDone("{\"choices\":[]}")).isFalse();
    }

    @Test
    void anErrorReportedInTheStreamIsRetryableAndQuotesItsMessage() {
        assertThatThrownBy(() -> decoder.chunk("{\"error\":{\"message\":\"upstream overloaded\",\"code\":502}}"))
                .isInstanceOfSatisfying(
                        LlmCallException.class, failure(true, "reported an error in its stream: upstream overloaded"));
        assertThatThrownBy(() -> decoder.chunk("{\"error\":\"plain\"}"))
                .isInstanceOfSatisfying(
                        LlmCallException.class, failure(true, "reported an error in its stream: \"plain\""));
    }

    @Test
    void whatIsNotAChunkIsRefusedForGoodQuotingOnlyItsStart() {
        String conversation = "{\"choices\": [ not json, and the user's private words at length";
        assertThatThrownBy(() -> decoder.chunk(conversation))
                .isInstanceOfSatisfying(
                        LlmCallException.class,
                        failure(false, "sent an event that is not JSON: " + conversation.substring(0, 40) + "..."))
                .message()
                .doesNotContain("private words");
        assertThatThrownBy(() -> decoder.chunk("[1]"))
                .isInstanceOfSatisfying(
                        LlmCallException.class, failure(false, "an event that is not a JSON object: [1]"));
        assertThatThrownBy(() -> decoder.chunk("{\"choices\":{}}"))
                .isInstanceOfSatisfying(LlmCallException.class, failure(false, "an event whose choices is not a list"));
        assertThatThrownBy(() -> decoder.chunk("{\"choices\":[{\"delta\":{\"content\":7}}]}"))
                .isInstanceOfSatisfying(
                        LlmCallException.class, failure(false, "an event whose choices[0].delta.content is not text"));
    }

    @Test
    void usageThatIsNotWholeCountsOfAtLeastZeroIsRefusedForGood() {
        for (String usage : new String[] {
            "{\"prompt_tokens\":-1,\"completion_tokens\":3}",
            "{\"prompt_tokens\":1.5,\"completion_tokens\":3}",
            "{\"prompt_tokens\":\"10\",\"completion_tokens\":3}",
            "{\"prompt_tokens\":3000000000,\"completion_tokens\":3}",
            "{\"completion_tokens\":3}"
        }) {
            assertThatThrownBy(() -> decoder.chunk("{\"choices\":[],\"usage\":" + usage + "}"))
                    .as(usage)
                    .isInstanceOfSatisfying(
                            LlmCallException.class, failure(false, "usable usage figures", "completion_tokens 3"));
        }
        assertThatThrownBy(() -> decoder.chunk("{\"usage\":{\"prompt_tokens\":\"10\",\"completion_tokens\":1.5}}"))
                .isInstanceOfSatisfying(
                        LlmCallException.class, failure(false, "prompt_tokens string, completion_tokens 1.5"));
    }

    @Test
    void aWholeAnswerGivesItsMessagesTextFinishReasonAndUsage() {
        ChunkDecoder.Chunk whole = decoder.whole(
                "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\","
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"all at once\"}}],"
                        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}",
                limits);

        assertThat(whole).isEqualTo(new ChunkDecoder.Chunk("all at once", "stop", new ChunkDecoder.Usage(5, 3)));
    }

    @Test
    void aWholeAnswerWithoutTextOrUsageOrPastTheTextBoundIsRefusedForGood() {
        assertThatThrownBy(() -> decoder.whole("<html>busy</html>", limits))
                .isInstanceOfSatisfying(
                        LlmCallException.class,
                        failure(false, "answered with something that is not JSON: <html>busy</html>"));
        assertThatThrownBy(() -> decoder.whole("{\"choices\":[]}", limits))
                .isInstanceOfSatisfying(
                        LlmCallException.class, failure(false, "answered without choices[0].message.content"));
        assertThatThrownBy(() -> decoder.whole("", limits))
                .isInstanceOfSatisfying(
                        LlmCallException.class, failure(false, "answered without choices[0].message.content"));
        assertThatThrownBy(() -> decoder.whole("{\"choices\":[{\"message\":{\"content\":\"ok\"}}]}", limits))
                .isInstanceOfSatisfying(LlmCallException.class, failure(false, "prompt_tokens missing"));
        assertThatThrownBy(() -> decoder.whole(
                        "{\"choices\":[{\"message\":{\"content\":\"" + "x".repeat(41)
                                + "\"}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}",
                        limits))
                .isInstanceOfSatisfying(LlmCallException.class, failure(false, "passed 40 bytes of text"));
    }
}
