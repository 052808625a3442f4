package dev.eryao.api;

import dev.eryao.services.InvalidInputException;
import dev.eryao.services.StreamPosition;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The id of an event of a run's stream, as written and as a client sends it back in
 * {@code Last-Event-ID}. Every event that changes what a client shows has one, ordered with the
 * others, so a reconnect neither repeats nor misses:
 *
 * <ul>
 *   <li>{@code delta}: {@code <attempt>.<index>} (index from 0);
 *   <li>{@code restart}: {@code <attempt>.-1}, the start of a retried attempt, before its first piece;
 *   <li>{@code status}: {@code <attempt>.<index>.<status>.<version>}, where the client stands when the
 *       status comes (index -1 before any piece of the attempt; attempt 0 before the first) and a
 *       version of what it says (eight hex digits of the CRC-32 of its data), so a reconnect knows
 *       whether this client has seen the run as it is now.
 * </ul>
 *
 * @param position      where the client is in the answer
 * @param statusVersion the version of the status it has been shown, when the id is a status's; else null
 */
record RunEventId(StreamPosition position, String statusVersion) {
    static final String HEADER = "Last-Event-ID";
    private static final Pattern STATUS_TAIL = Pattern.compile("[a-z_]{1,20}\\.[0-9a-f]{8}");

    /**
     * What a client's {@code Last-Event-ID} says; null when it sent none.
     *
     * @throws InvalidInputException (a 422) when it is not an id of this stream's form
     */
    static RunEventId parse(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String id = raw.strip();
        int second = id.indexOf('.', id.indexOf('.') + 1);
        if (second < 0) {
            return new RunEventId(StreamPosition.parse(id), null);
        }
        String tail = id.substring(second + 1);
        if (!STATUS_TAIL.matcher(tail).matches()) {
            throw InvalidInputException.field(
                    HEADER, "is not an event id of this stream (<attempt>.<index>, or a status's id)");
        }
        return new RunEventId(StreamPosition.parse(id.substring(0, second)), tail.substring(tail.indexOf('.') + 1));
    }

    /** The id of a status event saying {@code data} (the run's JSON, status {@code status}) at {@code position}. */
    static String ofStatus(StreamPosition position, String status, String data) {
        return position.eventId() + "." + status + "." + version(data);
    }

    /** The version of a status's data: what a reconnecting client's status id is compared with. */
    static String version(String data) {
        CRC32 crc = new CRC32();
        crc.update(data.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }
}
