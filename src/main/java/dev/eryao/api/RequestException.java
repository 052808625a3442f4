package dev.eryao.api;

import java.util.Map;

/**
 * An HTTP request the API cannot read: not JSON, the wrong media type, a bad path id or query
 * parameter. Nothing has been done when it is thrown; {@link ProblemMapper} answers with its status.
 */
final class RequestException extends RuntimeException {
    private final int status;
    private final Map<String, String> fieldErrors;

    RequestException(int status, String detail, Map<String, String> fieldErrors) {
        super(detail);
        this.status = status;
        this.fieldErrors = Map.copyOf(fieldErrors);
    }

    static RequestException badRequest(String detail) {
        return new RequestException(400, detail, Map.of());
    }

    static RequestException field(String field, String problem) {
        return new RequestException(400, field + ": " + problem, Map.of(field, problem));
    }

    int status() {
        return status;
    }

    Map<String, String> fieldErrors() {
        return fieldErrors;
    }
}
