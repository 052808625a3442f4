package dev.eryao.services;

/**
 * Where a client is in a run's event stream: the last piece of the answer it has, by attempt and
 * index. Written as the SSE event id {@code <attempt>.<index>}, so a client that reconnects with
 * {@code Last-Event-ID} is sent the pieces after it; a position of an earlier attempt (one that
 * failed and was retried) means the current attempt's pieces from the first. Index -1 is the start
 * of an attempt, before its first piece (attempt 0: before the run's first attempt), where a
 * client that has been told an attempt starts afresh stands.
 */
public record StreamPosition(int attempt, int index) {
    /** The start of {@code attempt}, before its first piece. */
    public static StreamPosition startOf(int attempt) {
        return new StreamPosition(attempt, -1);
    }

    /** The event id of this position. */
    public String eventId() {
        return attempt + "." + index;
    }

    /**
     * The position an event id names.
     *
     * @throws InvalidInputException when it is not one this server wrote
     */
    public static StreamPosition parse(String eventId) {
        int dot = eventId.indexOf('.');
        try {
            if (dot > 0 && eventId.length() <= 21) {
                int attempt = Integer.parseInt(eventId.substring(0, dot));
                int index = Integer.parseInt(eventId.substring(dot + 1));
                if (attempt >= 0
                        && index >= -1
                        && (attempt > 0 || index == -1)
                        && eventId.equals(attempt + "." + index)) {
                    return new StreamPosition(attempt, index);
                }
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw InvalidInputException.field("Last-Event-ID", "is not an event id of this stream (<attempt>.<index>)");
    }
}
