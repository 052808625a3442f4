package dev.eryao.provider;

/**
 * A completion that did not come back. {@code retryable} says whether trying again may help: a
 * timeout, an unreachable host, 408, 429 or a 5xx may pass; a 4xx such as a bad key or an unknown
 * model will not.
 *
 * <p>The message may quote the provider's answer, which can echo the conversation: it is recorded
 * on the run, which only its owner reads. {@link #summary()} never quotes it, and is what logs get.
 */
public final class LlmCallException extends RuntimeException {
    private final String summary;
    private final boolean retryable;

    /** A failure whose message holds no content from the provider's answer. */
    public LlmCallException(String summary, boolean retryable, Throwable cause) {
        this(summary, null, retryable, cause);
    }

    /** @param quoted part of the provider's answer, or null */
    public LlmCallException(String summary, String quoted, boolean retryable, Throwable cause) {
        super(quoted == null ? summary : summary + ": " + quoted, cause);
        this.summary = summary;
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The message without anything quoted from the provider: safe to log. */
    public String summary() {
        return summary;
    }
}
