package dev.eryao.services;

import java.math.BigDecimal;
import java.net.URI;

/** Checks of input shared by services; each failure names the field. */
final class Validation {
    private Validation() {
    }

    /** {@code value} stripped, or an {@link InvalidInputException} if it is missing, blank or too long. */
    static String requiredText(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw InvalidInputException.field(field, "must not be empty");
        }
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
}
