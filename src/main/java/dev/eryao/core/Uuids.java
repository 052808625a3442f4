package dev.eryao.core;

import java.util.UUID;

/**
 * The one reading of a UUID that comes from outside (a path, a body, a token's {@code sub}, a
 * cursor): only the canonical form, 36 characters {@code 8-4-4-4-12} of hex digits (either case).
 * {@link UUID#fromString} is lenient ({@code 1-1-1-1-1} reads as
 * {@code 00000001-0001-0001-0001-000000000001}), so two spellings could name the same row or owner.
 */
public final class Uuids {
    /** The all-zero UUID: a placeholder, never a user or a row. */
    public static final UUID NIL = new UUID(0, 0);

    private Uuids() {}

    /** @throws IllegalArgumentException unless {@code text} is a UUID in canonical form */
    public static UUID parseCanonical(String text) {
        if (!isCanonical(text)) {
            throw new IllegalArgumentException("not a UUID in the form 8-4-4-4-12 hex digits");
        }
        return UUID.fromString(text);
    }

    public static boolean isCanonical(String text) {
        if (text == null || text.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = text.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !isHexDigit(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
