package dev.eryao.core.config;

import java.time.Duration;

/**
 * How agent runs are worked off, bound from {@code ERYAO_WORKER__*}; the constructor refuses a value
 * out of range, by variable. That the lease outlasts the LLM timeout is checked by {@link Settings},
 * which holds both.
 *
 * @param concurrency  {@code ERYAO_WORKER__CONCURRENCY}: runs one process works on at once; 0 in
 *                     {@code serve} means this process only accepts runs and another works them
 * @param lease        {@code ERYAO_WORKER__LEASE_SECONDS}: how long a claimed run is a worker's;
 *                     after that it is taken again, so it must outlast the LLM timeout
 * @param pollInterval {@code ERYAO_WORKER__POLL_INTERVAL_MS}: how long an idle worker waits before
 *                     looking for work again while nothing can {@code LISTEN} (no listen address,
 *                     or the listening connection is lost): it cannot be told of new runs then
 * @param maxAttempts  {@code ERYAO_WORKER__MAX_ATTEMPTS}: attempts before a run is {@code failed}
 * @param retryBackoff {@code ERYAO_WORKER__RETRY_BACKOFF_MS}: wait before the second attempt,
 *                     doubled for each later one
 * @param fallbackPoll {@code ERYAO_WORKER__FALLBACK_POLL_MS}: how long an idle worker that is woken
 *                     by the announcements of runs ({@code LISTEN}) waits at most before looking
 *                     anyway: for a retry another process scheduled, or an announcement lost
 */
public record WorkerSettings(
        int concurrency,
        Duration lease,
        Duration pollInterval,
        int maxAttempts,
        Duration retryBackoff,
        Duration fallbackPoll) {
    public static final int DEFAULT_CONCURRENCY = 4;
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(120);
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(250);
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(2);
    public static final Duration DEFAULT_FALLBACK_POLL = Duration.ofSeconds(5);

    static final String PREFIX = "ERYAO_WORKER__";
    static final NumberVariable CONCURRENCY = NumberVariable.count(PREFIX + "CONCURRENCY", 0, 256);
    static final NumberVariable LEASE = NumberVariable.seconds(PREFIX + "LEASE_SECONDS", 5, 86_400);
    static final NumberVariable POLL_INTERVAL = NumberVariable.millis(PREFIX + "POLL_INTERVAL_MS", 10, 60_000);
    static final NumberVariable MAX_ATTEMPTS = NumberVariable.count(PREFIX + "MAX_ATTEMPTS", 1, 100);
    static final NumberVariable RETRY_BACKOFF = NumberVariable.millis(PREFIX + "RETRY_BACKOFF_MS", 0, 3_600_000);
    static final NumberVariable FALLBACK_POLL = NumberVariable.millis(PREFIX + "FALLBACK_POLL_MS", 100, 3_600_000);

    public WorkerSettings {
        CONCURRENCY.check(concurrency);
        LEASE.check(lease);
        POLL_INTERVAL.check(pollInterval);
        MAX_ATTEMPTS.check(maxAttempts);
        RETRY_BACKOFF.check(retryBackoff);
        FALLBACK_POLL.check(fallbackPoll);
    }

    /** With the default fallback poll ({@link #DEFAULT_FALLBACK_POLL}). */
    public WorkerSettings(
            int concurrency, Duration lease, Duration pollInterval, int maxAttempts, Duration retryBackoff) {
        this(concurrency, lease, pollInterval, maxAttempts, retryBackoff, DEFAULT_FALLBACK_POLL);
    }

    /** These settings with another fallback poll. */
    public WorkerSettings withFallbackPoll(Duration fallbackPoll) {
        return new WorkerSettings(concurrency, lease, pollInterval, maxAttempts, retryBackoff, fallbackPoll);
    }

    static WorkerSettings read(VariableReader env) {
        return new WorkerSettings(
                CONCURRENCY.read(env, DEFAULT_CONCURRENCY),
                LEASE.read(env, DEFAULT_LEASE),
                POLL_INTERVAL.read(env, DEFAULT_POLL_INTERVAL),
                MAX_ATTEMPTS.read(env, DEFAULT_MAX_ATTEMPTS),
                RETRY_BACKOFF.read(env, DEFAULT_RETRY_BACKOFF),
                FALLBACK_POLL.read(env, DEFAULT_FALLBACK_POLL));
    }

    /**
     * Refuses a lease a run could still be answered past: its worker would lose it to another, and
     * the model be called twice.
     */
    void requireLeaseOutlasts(LlmSettings llm) {
        if (lease.compareTo(llm.timeout()) <= 0) {
            throw LEASE.refused(
                    lease,
                    "it must be longer than " + LlmSettings.TIMEOUT.name() + " ("
                            + LlmSettings.TIMEOUT.shown(llm.timeout())
                            + "), or a run still being answered would be taken again");
        }
    }
}
