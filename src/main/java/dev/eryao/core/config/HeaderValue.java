package dev.eryao.core.config;

import java.util.Locale;

/**
 * What may be sent as an HTTP header's value: visible ASCII ({@code 0x21}–{@code 0x7E}), the
 * characters every provider's keys are made of. A key pasted with a zero-width space, a
 * non-breaking space or a line break is refused when settings are read, naming the variable and
 * the character, because the HTTP client refuses it only when a request is built, quoting the
 * header's whole value (the key) in its message.
 */
public final class HeaderValue {
    private HeaderValue() {}

    /**
     * The first character of {@code value} not allowed, described without the value (e.g.
     * {@code U+200B ZERO WIDTH SPACE at position 12}, counting from 1), or null when there is none.
     */
    public static String problem(String value) {
        int position = 1;
        for (int i = 0; i < value.length(); position++) {
            int c = value.codePointAt(i);
            if (c < 0x21 || c > 0x7E) {
                String name = Character.getName(c);
                return String.format(
                        Locale.ROOT, "U+%04X%s at position %d", c, name == null ? "" : " " + name, position);
            }
            i += Character.charCount(c);
        }
        return null;
    }
}
