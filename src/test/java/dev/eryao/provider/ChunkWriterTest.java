package dev.eryao.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the writer writes is what OpenAI sends, as the client's parser and decoder read it back. */
class ChunkWriterTest {
    private final ChunkDecoder decoder =
            new ChunkDecoder(CalledModel.of("local", "m", "http://127.0.0.1/"), new ObjectMapper());

    /** The events of {@code body}, parsed as the client parses a provider's body. */
    private static List<SseEvent> events(String body) {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(1 << 20, events::add);
        body.lines().forEach(parser::line);
        return events;
    }

    @Test
    void aStreamReadsBackAsItsTextFinishReasonAndUsageEndingInDone() {
        ChunkWriter writer = new ChunkWriter("chatcmpl-1", "m", true);
        String text = "line one\nline \"two\" \\ 😀";
        String body =
                writer.role() + writer.delta(text) + writer.finish("length") + writer.usage(7, 3) + ChunkWriter.done();

        List<SseEvent> events = events(body);

        assertThat(events).hasSize(5);
        assertThat(events.subList(0, 4))
                .extracting(event -> decoder.chunk(event.data()))
                .containsExactly(
                        new ChunkDecoder.Chunk("", null, null),
                        new ChunkDecoder.Chunk(text, null, null),
                        new ChunkDecoder.Chunk("", "length", null),
                        new ChunkDecoder.Chunk("", null, new ChunkDecoder.Usage(7, 3)));
        assertThat(ChunkDecoder.isDone(events.get(4).data())).isTrue();
    }

    @Test
    void chunksSayUsageNullOnlyWhenUsageWasAskedFor() {
        assertThat(new ChunkWriter("c", "m", true).delta("a")).contains("\"usage\":null");
        assertThat(new ChunkWriter("c", "m", false).delta("a")).doesNotContain("usage");
        assertThat(new ChunkWriter("c", "m", true).usage(1, 2))
                .contains("\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}");
        assertThat(new ChunkWriter("c", "m", false).usage(null, 2)).contains("\"usage\":{\"completion_tokens\":2}");
    }

    @Test
    void aWholeAnswerReadsBackWhole() {
        String whole = new ChunkWriter("chatcmpl-1", "m", false).whole("all at once", "stop", 5, 3);

        assertThat(decoder.whole(whole, new AnswerLimits(100, 32)))
                .isEqualTo(new ChunkDecoder.Chunk("all at once", "stop", new ChunkDecoder.Usage(5, 3)));
    }
}
