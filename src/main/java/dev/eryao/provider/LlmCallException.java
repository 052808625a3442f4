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
    /**
     * What went wrong, in a few words fit for a metric's label (a bounded set: never a message or
     * a status of its own).
     */
    public enum Kind {
        /** No connection, no answer, or no end of the answer within the settings' time. */
        TIMEOUT,
        /** The host is unknown, refused the connection, or the connection failed otherwise. */
        UNREACHABLE,
        TLS,
        /** 429. */
        RATE_LIMITED,
        /** Another 4xx: a bad key, an unknown model, a request the provider refuses. */
        REFUSED,
        /** A 5xx, or an error the provider reported inside its stream. */
        PROVIDER_ERROR,
        /** An answer that is not what the API defines (not JSON, no content, no usable usage). */
        BAD_ANSWER,
        /** An answer, line, event or error body larger than its bound. */
        OVERSIZED,
        /** The stream ended or broke off before the answer did. */
        BROKEN_STREAM,
        /** The request could not be built from the catalog and the settings (its URL, its key). */
        REQUEST,
        /** The worker's thread was interrupted while waiting (it is closing). */
        INTERRUPTED,
        OTHER;

        /** The kind of a non-2xx answer. */
        static Kind ofStatus(int status) {
            if (status == 408) {
                return TIMEOUT;
            }
            if (status == 429) {
                return RATE_LIMITED;
            }
            return status >= 500 ? PROVIDER_ERROR : REFUSED;
        }

        /** As a label value: {@code rate_limited}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Kind kind;
    private final String summary;
    private final boolean retryable;

    /** A failure whose message holds no content from the provider's answer and nothing more for the logs. */
    public LlmCallException(String summary, boolean retryable, Throwable cause) {
        this(Kind.OTHER, summary, null, null, retryable, cause);
    }

    /** @param quoted part of the provider's answer, or null */
    public LlmCallException(String summary, String quoted, boolean retryable, Throwable cause) {
        this(Kind.OTHER, summary, quoted, null, retryable, cause);
    }

    /**
     * @param kind   what went wrong, for metrics
     * @param quoted part of the provider's answer, or null: in the message only
     * @param detail for administrators (where the model is), or null: in the summary only
     */
    public LlmCallException(
            Kind kind, String summary, String quoted, String detail, boolean retryable, Throwable cause) {
        super(quoted == null ? summary : summary + ": " + quoted, cause);
        this.kind = kind;
        this.summary = detail == null ? summary : summary + " (" + detail + ")";
        this.retryable = retryable;
    }

    /** What went wrong, for the model calls' error counts. */
    public Kind kind() {
        return kind;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The message without anything quoted from the provider, with where the model is: safe to log. */
    public String summary() {
        return summary;
    }
}
