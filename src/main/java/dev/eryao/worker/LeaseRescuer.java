package dev.eryao.worker;

import dev.eryao.services.RunExecutionService;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes back runs whose worker died or hung: once a claimed run's lease has expired it is queued
 * again (or failed, if that was its last attempt); and ends runs parked past their expiry. {@link #runOnce()} is one pass, so a test can
 * run exactly one; the worker calls it on a timer.
 */
final class LeaseRescuer {
    private static final Logger log = LoggerFactory.getLogger(LeaseRescuer.class);
    /** The shortest pause between passes, however short the lease. */
    static final Duration LEAST_INTERVAL = Duration.ofSeconds(1);

    private final RunExecutionService runs;
    private final Clock clock;

    LeaseRescuer(RunExecutionService runs, Clock clock) {
        this.runs = runs;
        this.clock = clock;
    }

    /**
     * How long the worker waits between passes: a quarter of the lease (at least
     * {@link #LEAST_INTERVAL}), so an expired run waits at most that long past its lease to be taken back.
     */
    static Duration interval(Duration lease) {
        Duration quarter = lease.dividedBy(4);
        return quarter.compareTo(LEAST_INTERVAL) < 0 ? LEAST_INTERVAL : quarter;
    }

    /** One pass; the ids of the runs taken back. */
    List<UUID> runOnce() {
        List<UUID> rescued = runs.rescueExpired(clock.instant());
        if (!rescued.isEmpty()) {
            log.warn("took back {} run(s) whose lease expired: {}", rescued.size(), rescued);
        }
        return rescued;
    }

    /**
     * Ends the runs left waiting for their owner past the parked expiry, in the same pass (one
     * probe of the parked runs' index: nothing is read for a run until it is due); their ids.
     */
    List<UUID> expireParked() {
        List<UUID> expired = runs.expireParked(clock.instant());
        if (!expired.isEmpty()) {
            log.info(
                    "{} run(s) waited for their owner past the parked expiry and ended expired: {}",
                    expired.size(),
                    expired);
        }
        return expired;
    }
}
