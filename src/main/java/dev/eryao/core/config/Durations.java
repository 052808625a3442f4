package dev.eryao.core.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

/** Durations written as the numbers their variables hold, for messages that name the variable. */
public final class Durations {
    private Durations() {}

    /** {@code 90} for 90 s in seconds, {@code 0.5} for 500 ms: exact, without trailing zeros. */
    public static String in(ChronoUnit unit, Duration value) {
        BigDecimal nanos =
                BigDecimal.valueOf(value.getSeconds()).scaleByPowerOfTen(9).add(BigDecimal.valueOf(value.getNano()));
        // A unit of a power of ten nanoseconds divides exactly.
        return nanos.divide(BigDecimal.valueOf(unit.getDuration().toNanos()))
                .stripTrailingZeros()
                .toPlainString();
    }

    /** {@code 30 s}, {@code 0.5 s}: how long, in seconds. */
    public static String seconds(Duration value) {
        return in(ChronoUnit.SECONDS, value) + " s";
    }
}
