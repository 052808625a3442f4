package dev.eryao.llm;

/**
 * A completion that did not come back. {@code retryable} says whether trying again may help: a
 * timeout, an unreachable host, 408, 429 or a 5xx may pass; a 4xx such as a bad key or an unknown
 * model will not.
 */
public final class LlmCallException extends RuntimeException {
    private final boolean retryable;

    public LlmCallException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
