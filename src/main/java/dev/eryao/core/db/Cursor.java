package dev.eryao.core.db;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * A keyset position: the {@code (created_at, id)} of the last row a page returned. Encoded as an
 * opaque URL-safe string for API clients; {@link #decode} rejects anything it did not make.
 */
public record Cursor(Instant createdAt, UUID id) {

    public String encode() {
        String plain = createdAt.getEpochSecond() + "." + createdAt.getNano() + "." + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when {@code encoded} is not a cursor */
    public static Cursor decode(String encoded) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
            String[] parts = plain.split("\\.", 3);
            Instant createdAt = Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
            return new Cursor(createdAt, UUID.fromString(parts[2]));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a valid cursor: " + encoded);
        }
    }
}
