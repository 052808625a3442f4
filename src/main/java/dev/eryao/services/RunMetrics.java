package dev.eryao.services;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What runs did that an administrator should see without reading the table: runs whose provider
 * reported more usage than their hold allowed for, and the points that usage would have cost
 * beyond the hold (charged at the hold: never taken from the owner's other points; the run's
 * {@code cost_points} minus {@code charged_points} says the same per run).
 */
public final class RunMetrics {
    private final Counter capped;
    private final Counter uncharged;

    public RunMetrics(MeterRegistry registry) {
        this.capped = Counter.builder("eryao.runs.charge.capped")
                .description("runs whose reported usage priced above their hold; charged at the hold")
                .register(registry);
        this.uncharged = Counter.builder("eryao.runs.uncharged.points")
                .description("points of reported usage beyond runs' holds, not charged to their owners")
                .baseUnit("points")
                .register(registry);
    }

    void chargeCapped(long unchargedPoints) {
        capped.increment();
        uncharged.increment(unchargedPoints);
    }
}
