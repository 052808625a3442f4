package dev.eryao.core.db;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The one clock for stored times: UTC instants at PostgreSQL's microsecond precision. */
public final class Timestamps {
    private Timestamps() {}

    /**
     * Now, truncated to microseconds so that the value kept in memory equals the value stored
     * (PostgreSQL would round the nanoseconds away, and a cursor built from memory would drift).
     */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
