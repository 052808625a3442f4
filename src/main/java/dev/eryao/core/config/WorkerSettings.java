package dev.eryao.core.config;

/**
 * How agent runs are worked off, bound from {@code ERYAO_WORKER__*}.
 *
 * @param concurrency      {@code ERYAO_WORKER__CONCURRENCY}: runs one process works on at once; 0 in
 *                         {@code serve} means this process only accepts runs and another works them
 * @param leaseSeconds     {@code ERYAO_WORKER__LEASE_SECONDS}: how long a claimed run is a worker's;
 *                         after that it is taken again, so it must outlast the LLM timeout
 * @param pollIntervalMs   {@code ERYAO_WORKER__POLL_INTERVAL_MS}: how long an idle worker waits before
 *                         looking for work again
 * @param maxAttempts      {@code ERYAO_WORKER__MAX_ATTEMPTS}: attempts before a run is {@code failed}
 * @param retryBackoffMs   {@code ERYAO_WORKER__RETRY_BACKOFF_MS}: wait before the second attempt,
 *                         doubled for each later one
 */
public record WorkerSettings(int concurrency, int leaseSeconds, int pollIntervalMs, int maxAttempts, int retryBackoffMs) {
    public static final int DEFAULT_CONCURRENCY = 4;
    public static final int DEFAULT_LEASE_SECONDS = 120;
    public static final int DEFAULT_POLL_INTERVAL_MS = 250;
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final int DEFAULT_RETRY_BACKOFF_MS = 2_000;

    static final String PREFIX = "ERYAO_WORKER__";

    static WorkerSettings read(VariableReader env, LlmSettings llm) {
        WorkerSettings settings = new WorkerSettings(
                env.integer(PREFIX + "CONCURRENCY", DEFAULT_CONCURRENCY, 0, 256),
                env.integer(PREFIX + "LEASE_SECONDS", DEFAULT_LEASE_SECONDS, 5, 86_400),
                env.integer(PREFIX + "POLL_INTERVAL_MS", DEFAULT_POLL_INTERVAL_MS, 10, 60_000),
                env.integer(PREFIX + "MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS, 1, 100),
                env.integer(PREFIX + "RETRY_BACKOFF_MS", DEFAULT_RETRY_BACKOFF_MS, 0, 3_600_000));
        if (settings.leaseSeconds() <= llm.timeoutSeconds()) {
            throw new SettingsException(PREFIX + "LEASE_SECONDS='" + settings.leaseSeconds() + "' is not accepted:"
                    + " it must be longer than ERYAO_LLM__TIMEOUT_SECONDS (" + llm.timeoutSeconds()
                    + "), or a run still being answered would be taken again");
        }
        return settings;
    }
}
