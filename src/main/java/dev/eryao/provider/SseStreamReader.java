package dev.eryao.provider;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Reads a body of server-sent events to its end, blocking, for a client that holds it as an
 * {@link InputStream}: bytes to lines ({@link LineSplitter}), lines to events ({@link SseParser}).
 * An event whose blank line never came is dropped at the end, as the format says a client does.
 * A line or an event past its bound fails the reading as an {@link IOException}, as a broken
 * stream would, and nothing more of the body is read.
 */
public final class SseStreamReader {
    /** What one read asks the stream for: events are handed on as soon as a read holds them. */
    private static final int READ_BYTES = 8192;

    private SseStreamReader() {}

    /** Reads {@code body} to its end (it is left open), handing each event and comment to {@code listener}. */
    public static void read(InputStream body, int maxLineBytes, int maxEventBytes, SseParser.Listener listener)
            throws IOException {
        LineSplitter lines = new LineSplitter(maxLineBytes);
        SseParser parser = new SseParser(maxEventBytes, listener);
        byte[] buffer = new byte[READ_BYTES];
        try {
            for (int read = body.read(buffer); read >= 0; read = body.read(buffer)) {
                // Once next() returned null the splitter has copied every byte it was given: the buffer is free.
                lines.add(ByteBuffer.wrap(buffer, 0, read));
                for (String line = lines.next(); line != null; line = lines.next()) {
                    parser.line(line, lines.lastLineBytes());
                }
            }
        } catch (LineSplitter.LineTooLongException | SseParser.EventTooLongException e) {
            throw new IOException("the event stream sent " + e.getMessage(), e);
        }
    }
}
