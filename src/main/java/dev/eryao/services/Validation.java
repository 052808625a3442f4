package dev.eryao.services;

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
}
