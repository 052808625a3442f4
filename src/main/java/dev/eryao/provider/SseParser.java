package dev.eryao.provider;

/**
 * Server-sent events from their lines, as the format defines them
 * (<a href="https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation">HTML,
 * event stream interpretation</a>): {@code field: value} with one space after the colon dropped, a field
 * without a colon taken with an empty value, {@code data} lines joined with {@code \n}, {@code event},
 * {@code id} (one holding NUL is ignored) and {@code retry} (digits only), other fields ignored, a line
 * starting with {@code :} a comment, and a blank line dispatching the event gathered — if it has any
 * {@code data}; one without is dropped, its fields with it. Pure: no I/O; lines come from
 * {@link LineSplitter} (or {@link SseStreamReader}), events go to a {@link Listener} as they complete.
 *
 * <p>Bounded: one event's data lines may take at most {@code maxEventBytes} (each line counted with its
 * field name and end), so a sender of endless data lines without a blank line makes us hold one bound.
 */
public final class SseParser {
    /** Receives what the lines hold, in order, on the thread that passes the lines. */
    @FunctionalInterface
    public interface Listener {
        void onEvent(SseEvent event);

        /** A comment (the text after the colon): a keep-alive, mostly, and nothing to act on. */
        default void onComment(String text) {}
    }

    /** One event's data lines passed the bound before the blank line that ends it. */
    public static final class EventTooLongException extends RuntimeException {
        EventTooLongException(int maxEventBytes) {
            super("an event of more than " + maxEventBytes + " bytes");
        }
    }

    private final int maxEventBytes;
    private final Listener listener;

    private StringBuilder data;
    private long dataBytes;
    private String type;
    private String id;
    private String lastEventId;
    private Long retryMillis;

    public SseParser(int maxEventBytes, Listener listener) {
        this.maxEventBytes = maxEventBytes;
        this.listener = listener;
    }

    /** One line, without its end; counted against the event bound by its UTF-8 size. */
    public void line(String line) {
        line(line, (int) Math.min(Integer.MAX_VALUE, Utf8.length(line)));
    }

    /**
     * One line, without its end, {@code bytes} long on the wire.
     *
     * @throws EventTooLongException when a data line takes the event past its bound
     */
    public void line(String line, int bytes) {
        if (line.isEmpty()) {
            dispatch();
            return;
        }
        if (line.charAt(0) == ':') {
            listener.onComment(line.substring(1));
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(line.startsWith(" ", colon + 1) ? colon + 2 : colon + 1);
        switch (field) {
            case "data" -> data(value, bytes);
            case "event" -> type = value;
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    id = value;
                    lastEventId = value;
                }
            }
            case "retry" -> retry(value);
            default -> {
                // a field the format does not define: ignored, as it says
            }
        }
    }

    /**
     * The body has ended: dispatches the event whose blank line never came, if it has data. The
     * format says a browser drops it; a reader that would rather not lose a sender's last event
     * (one that left out the final blank line) calls this.
     */
    public void end() {
        dispatch();
    }

    /** The last {@code id} received, for a reconnection's {@code Last-Event-ID}; null before any. */
    public String lastEventId() {
        return lastEventId;
    }

    /** The last {@code retry} received (the reconnection delay the sender asks for), or null. */
    public Long retryMillis() {
        return retryMillis;
    }

    private void data(String value, int bytes) {
        dataBytes += bytes + 1L;
        if (dataBytes > maxEventBytes) {
            throw new EventTooLongException(maxEventBytes);
        }
        if (data == null) {
            data = new StringBuilder(value);
        } else {
            data.append('\n').append(value);
        }
    }

    private void retry(String value) {
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return;
        }
        try {
            retryMillis = Long.parseLong(value);
        } catch (NumberFormatException e) {
            // more digits than a long holds: no delay anyone means; ignored like any bad value
        }
    }

    private void dispatch() {
        StringBuilder gathered = data;
        String eventType = type;
        String eventId = id;
        data = null;
        dataBytes = 0;
        type = null;
        id = null;
        if (gathered != null) {
            listener.onEvent(new SseEvent(
                    eventType == null || eventType.isEmpty() ? "message" : eventType, gathered.toString(), eventId));
        }
    }
}
