package dev.eryao.repositories;

/**
 * The run queue at one moment, for its gauges.
 *
 * @param queued            runs queued, due or not (a retry waits out its backoff queued)
 * @param oldestDueSeconds  how long the longest-waiting due run has been due; 0 when none is
 */
public record QueueSummary(long queued, double oldestDueSeconds) {}
