package dev.eryao.services;

import java.util.Map;

/** Input a service refuses, with a message per field; nothing was written. */
public final class InvalidInputException extends RuntimeException {
    private final Map<String, String> fieldErrors;

    public InvalidInputException(Map<String, String> fieldErrors) {
        super(describe(fieldErrors));
        this.fieldErrors = Map.copyOf(fieldErrors);
    }

    public static InvalidInputException field(String field, String problem) {
        return new InvalidInputException(Map.of(field, problem));
    }

    /** Field name to what is wrong with it. */
    public Map<String, String> fieldErrors() {
        return fieldErrors;
    }

    private static String describe(Map<String, String> errors) {
        StringBuilder text = new StringBuilder();
        errors.forEach((field, problem) -> text.append(text.isEmpty() ? "" : "; ")
                .append(field)
                .append(": ")
                .append(problem));
        return text.toString();
    }
}
