package dev.eryao.core.db;

import dev.eryao.core.Uuids;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * A keyset position: the {@code (created_at, id)} of the last row a page returned. Encoded as an
 * opaque URL-safe string for API clients; {@link #decode} rejects anything it did not make.
 */
public record Cursor(Instant createdAt, UUID id) {
    /**
     * PostgreSQL's {@code timestamptz} range (4713 BC to 294276 AD): a cursor outside it came from
     * no row, and binding it would fail in the database rather than as a bad request.
     */
    static final Instant EARLIEST = Instant.parse("-4713-11-24T00:00:00Z");

    static final Instant LATEST = Instant.parse("+294276-12-31T23:59:59.999999Z");

    public String encode() {
        String plain = createdAt.getEpochSecond() + "." + createdAt.getNano() + "." + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when {@code encoded} is not a cursor */
    public static Cursor decode(String encoded) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
            String[] parts = plain.split("\\.", 3);
            long seconds = Long.parseLong(parts[0]);
            long nanos = Long.parseLong(parts[1]);
            if (nanos < 0 || nanos > 999_999_999) {
                throw new IllegalArgumentException("nanoseconds out of range");
            }
            Instant createdAt = Instant.ofEpochSecond(seconds, nanos);
            if (createdAt.isBefore(EARLIEST) || createdAt.isAfter(LATEST)) {
                throw new IllegalArgumentException("time out of range");
            }
            return new Cursor(createdAt, Uuids.parseCanonical(parts[2]));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a valid cursor: " + encoded);
        }
    }
}
