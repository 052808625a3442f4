package dev.eryao.provider;

/**
 * A completion that did not come back. {@code retryable} says whether trying again may help: a
 * timeout, an unreachable host, 408, 429 or a 5xx may pass; a 4xx such as a bad key or an unknown
 * model will not.
 *
 * <p>Two audiences. The message ({@link #getMessage()}) is recorded on the run, which only its owner
 * reads: it names the model by factory and code, never by its {@code request_url}, and may quote the
 * provider's answer, which can echo the owner's conversation. {@link #summary()} is what logs get:
 * never the quote, and, for administrators, where the model is (its {@code request_url}, without
 * credentials) and what the network said. Neither ever holds a provider key: a failure met while
 * building the request is described by the part refused, not by the HTTP client's message.
 */
public final class LlmCallException extends RuntimeException {
    private final String summary;
    private final boolean retryable;

    /** A failure whose message holds no content from the provider's answer and nothing more for the logs. */
    public LlmCallException(String summary, boolean retryable, Throwable cause) {
        this(summary, null, null, retryable, cause);
    }

    /** @param quoted part of the provider's answer, or null */
    public LlmCallException(String summary, String quoted, boolean retryable, Throwable cause) {
        this(summary, quoted, null, retryable, cause);
    }

    /**
     * @param quoted part of the provider's answer, or null: in the message only
     * @param detail for administrators (where the model is), or null: in the summary only
     */
    public LlmCallException(String summary, String quoted, String detail, boolean retryable, Throwable cause) {
        super(quoted == null ? summary : summary + ": " + quoted, cause);
        this.summary = detail == null ? summary : summary + " (" + detail + ")";
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The message without anything quoted from the provider, with where the model is: safe to log. */
    public String summary() {
        return summary;
    }
}
