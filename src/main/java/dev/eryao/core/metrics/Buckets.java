package dev.eryao.core.metrics;

import java.time.Duration;

/**
 * The histogram buckets the backend's timers publish, so that Prometheus can compute any quantile
 * ({@code histogram_quantile(0.99, …)}) across processes. A fixed, short list per kind of wait, not
 * Micrometer's percentile histogram (about 70 buckets a series): every series costs one line per
 * bucket at each scrape.
 */
public final class Buckets {
    /** HTTP requests: from a cached read to a slow write. */
    public static final Duration[] REQUEST = millis(1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000);

    /** Waiting for a model's first words: the backend's share is milliseconds, the model's seconds. */
    public static final Duration[] FIRST_TOKEN = millis(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000);

    /** A whole model call or run attempt: seconds to minutes. */
    public static final Duration[] CALL =
            millis(100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000);

    private Buckets() {}

    private static Duration[] millis(double... bounds) {
        Duration[] durations = new Duration[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            durations[i] = Duration.ofNanos(Math.round(bounds[i] * 1_000_000));
        }
        return durations;
    }
}
