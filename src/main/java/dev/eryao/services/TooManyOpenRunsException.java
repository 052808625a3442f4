package dev.eryao.services;

import java.time.Duration;

/**
 * The owner already has as many runs queued or running as one owner may
 * ({@code ERYAO_RUNS__MAX_OPEN_PER_OWNER}); nothing was written. Worth asking again once one of
 * them has finished.
 */
public final class TooManyOpenRunsException extends RuntimeException {
    /** When to ask again: about the time a chat answer takes. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final long open;
    private final int limit;

    public TooManyOpenRunsException(long open, int limit) {
        super("too many runs at once: " + open + " of yours are queued or running and at most " + limit
                + " may be (ERYAO_RUNS__MAX_OPEN_PER_OWNER); send this one again when one of them has finished");
        this.open = open;
        this.limit = limit;
    }

    public long open() {
        return open;
    }

    public int limit() {
        return limit;
    }
}
