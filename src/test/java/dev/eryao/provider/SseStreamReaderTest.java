package dev.eryao.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A body of server-sent events read from a stream to its end, however its reads fall. */
class SseStreamReaderTest {
    /** A stream that gives at most one byte a read: every line and character split between reads. */
    private static InputStream byteByByte(String body) {
        return new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] buffer, int offset, int length) {
                return super.read(buffer, offset, Math.min(1, length));
            }
        };
    }

    private static List<SseEvent> read(InputStream body, int bound) throws IOException {
        List<SseEvent> events = new ArrayList<>();
        SseStreamReader.read(body, bound, bound, events::add);
        return events;
    }

    @Test
    void eventsArriveWholeAndInOrderWhateverTheReads() throws IOException {
        String body =
                "event: delta\r\nid: 1.0\r\ndata: {\"text\":\"Grüß 😀\"}\r\n\r\n: waiting\n\nevent: status\ndata: {}\n\n";

        assertThat(read(byteByByte(body), 1024))
                .containsExactly(
                        new SseEvent("delta", "{\"text\":\"Grüß 😀\"}", "1.0"), new SseEvent("status", "{}", null));
    }

    @Test
    void anEventTheBodyEndsInBeforeItsBlankLineIsDropped() throws IOException {
        assertThat(read(byteByByte("data: whole\n\ndata: cut off\n"), 1024))
                .containsExactly(new SseEvent("message", "whole", null));
    }

    @Test
    void aLineOrAnEventPastItsBoundFailsAsABrokenStream() {
        assertThatThrownBy(() -> read(byteByByte("data: " + "x".repeat(100) + "\n\n"), 64))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("a line of more than 64 bytes");
        assertThatThrownBy(() -> read(byteByByte("data: 12345\n".repeat(10) + "\n"), 64))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("an event of more than 64 bytes");
    }
}
