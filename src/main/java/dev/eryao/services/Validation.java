package dev.eryao.services;

import java.math.BigDecimal;
import java.net.URI;

/** Checks of input shared by services; each failure names the field. */
final class Validation {
    private Validation() {}

    /** The longest {@code Idempotency-Key} kept (the columns' length). */
    static final int IDEMPOTENCY_KEY_MAX_LENGTH = 200;

    /**
     * {@code value} stripped, or an {@link InvalidInputException} if it is missing, blank, too long
     * or holds text PostgreSQL cannot store ({@link #storable}).
     */
    static String requiredText(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw InvalidInputException.field(field, "must not be empty");
        }
        storable(field, value);
        String stripped = value.strip();
        if (stripped.length() > maxLength) {
            throw InvalidInputException.field(field, "must be at most " + maxLength + " characters");
        }
        return stripped;
    }

    /** {@code value} stripped, null if absent; an {@link InvalidInputException} if too long. */
    static String optionalText(String field, String value, int maxLength) {
        return value == null || value.isBlank() ? null : requiredText(field, value, maxLength);
    }

    /**
     * Refuses U+0000, which a PostgreSQL text column cannot hold (the insert would fail as a 500),
     * and a UTF-16 surrogate without its pair, which would be stored as {@code ?} (not what was sent).
     */
    static void storable(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                throw InvalidInputException.field(field, "must not contain the NUL character (U+0000)");
            }
            if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw InvalidInputException.field(
                        field, "must not contain an unpaired UTF-16 surrogate (\\u" + Integer.toHexString(c) + ")");
            }
        }
    }

    /**
     * An {@code Idempotency-Key} exactly as sent (compared byte for byte, so {@code " k "} is not
     * {@code "k"}), or null when absent: 1 to 200 visible ASCII characters (0x21-0x7E), so it has one
     * spelling in a header, a log line and the database.
     */
    static String idempotencyKey(String field, String value) {
        if (value == null) {
            return null;
        }
        if (value.isEmpty() || value.length() > IDEMPOTENCY_KEY_MAX_LENGTH) {
            throw InvalidInputException.field(field, "must be 1 to " + IDEMPOTENCY_KEY_MAX_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                throw InvalidInputException.field(
                        field, "must be visible ASCII characters only (no spaces or" + " control characters)");
            }
        }
        return value;
    }

    /** A non-negative amount with at most {@code scale} decimals that fits {@code numeric(precision, scale)}. */
    static BigDecimal price(String field, BigDecimal value, int precision, int scale) {
        if (value == null) {
            throw InvalidInputException.field(field, "is required");
        }
        BigDecimal plain = value.stripTrailingZeros();
        if (plain.signum() < 0) {
            throw InvalidInputException.field(field, "must not be negative");
        }
        if (plain.scale() > scale) {
            throw InvalidInputException.field(field, "must have at most " + scale + " decimal places");
        }
        if (plain.precision() - plain.scale() > precision - scale) {
            throw InvalidInputException.field(field, "must be less than 1e" + (precision - scale));
        }
        return value;
    }

    /** An absolute http(s) URL of at most {@code maxLength} characters. */
    static String httpUrl(String field, String value, int maxLength) {
        String text = requiredText(field, value, maxLength);
        try {
            URI uri = new URI(text);
            if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null) {
                return text;
            }
        } catch (java.net.URISyntaxException ignored) {
            // reported below
        }
        throw InvalidInputException.field(field, "must be an http(s) URL");
    }

    /** Null, or a whole number of at least 1. */
    static Integer optionalPositive(String field, Integer value) {
        if (value != null && value < 1) {
            throw InvalidInputException.field(field, "must be at least 1");
        }
        return value;
    }

    /** A key replayed with a different body: refused, so a client's bug cannot pass for a retry. */
    static InvalidInputException keyReused(String field) {
        return InvalidInputException.field(
                "Idempotency-Key",
                "was already used for a request with a different " + field + "; use a new key for a new request");
    }
}
