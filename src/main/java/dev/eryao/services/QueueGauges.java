package dev.eryao.services;

import dev.eryao.core.db.Transactions;
import dev.eryao.repositories.QueueSummary;
import dev.eryao.repositories.RunRepository;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * The run queue's depth and the age of its oldest due run as gauges, read from the database when
 * Prometheus scrapes, never on a request's path: one statement serves both gauges of one scrape
 * (a reading is reused for {@link #FRESH_FOR}). A scrape while the database is down reports
 * nothing for them (Micrometer reads a failed gauge as NaN) rather than failing the scrape.
 */
public final class QueueGauges {
    /** How long one reading serves: longer than one scrape's gauges take, far shorter than any scrape interval. */
    public static final Duration FRESH_FOR = Duration.ofMillis(250);

    private final Transactions transactions;
    private final RunRepository runs;
    private final Clock clock;
    private QueueSummary last;
    private long readAtNanos;

    private QueueGauges(Transactions transactions, RunRepository runs, Clock clock) {
        this.transactions = transactions;
        this.runs = runs;
        this.clock = clock;
    }

    public static void register(MeterRegistry registry, Transactions transactions, RunRepository runs, Clock clock) {
        QueueGauges queue = new QueueGauges(transactions, runs, clock);
        Gauge.builder("eryao.runs.queued", queue, gauges -> gauges.summary().queued())
                .description("runs queued (due now or waiting out a retry's backoff), read at each scrape")
                .strongReference(true) // nothing else holds the gauges' reader: a weak one would be collected
                .register(registry);
        Gauge.builder(
                        "eryao.runs.queued.oldest.age",
                        queue,
                        gauges -> gauges.summary().oldestDueSeconds())
                .description("how long the longest-waiting due run has been due; 0 when none is")
                .baseUnit("seconds")
                .strongReference(true)
                .register(registry);
    }

    private synchronized QueueSummary summary() {
        long now = System.nanoTime();
        if (last == null || now - readAtNanos > FRESH_FOR.toNanos()) {
            last = transactions.fromTransaction(() -> runs.queueSummary(clock.instant()));
            readAtNanos = now;
        }
        return last;
    }
}
