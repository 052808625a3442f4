package dev.eryao.core.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * One numeric {@code ERYAO_*} variable: its name, the whole numbers it accepts, and, for a duration,
 * the unit its name states ({@code _SECONDS}, {@code _MS}). Declared once per setting so that reading
 * the variable and a record's constructor refuse the same values with the same one-line message,
 * whichever built the record.
 */
final class NumberVariable {
    private final String name;
    private final int min;
    private final int max;
    /** Null for a count. */
    private final ChronoUnit unit;

    private NumberVariable(String name, int min, int max, ChronoUnit unit) {
        this.name = name;
        this.min = min;
        this.max = max;
        this.unit = unit;
    }

    static NumberVariable count(String name, int min, int max) {
        return new NumberVariable(name, min, max, null);
    }

    static NumberVariable seconds(String name, int min, int max) {
        return new NumberVariable(name, min, max, ChronoUnit.SECONDS);
    }

    static NumberVariable millis(String name, int min, int max) {
        return new NumberVariable(name, min, max, ChronoUnit.MILLIS);
    }

    String name() {
        return name;
    }

    /** The variable's value, or {@code fallback} when it is unset. */
    int read(VariableReader env, int fallback) {
        return env.integer(name, fallback, min, max);
    }

    /** The variable's value in its unit, or {@code fallback} (a whole number of that unit) when unset. */
    Duration read(VariableReader env, Duration fallback) {
        return Duration.of(env.integer(name, Math.toIntExact(fallback.dividedBy(unit.getDuration())), min, max), unit);
    }

    int check(int value) {
        if (value < min || value > max) {
            throw refused(String.valueOf(value), expected());
        }
        return value;
    }

    Duration check(Duration value) {
        if (value == null) {
            throw new SettingsException(name + " is not set: " + expected());
        }
        if (value.compareTo(Duration.of(min, unit)) < 0 || value.compareTo(Duration.of(max, unit)) > 0) {
            throw refused(shown(value), expected());
        }
        return value;
    }

    /** {@code NAME='value' is not accepted: why}, the one line a user sees. */
    SettingsException refused(String value, String why) {
        return new SettingsException(name + "='" + value + "' is not accepted: " + why);
    }

    SettingsException refused(Duration value, String why) {
        return refused(shown(value), why);
    }

    /** A duration as this variable's number: {@code 90} for 90 s in a {@code _SECONDS} variable. */
    String shown(Duration value) {
        return Durations.in(unit, value);
    }

    private String expected() {
        return "expected a whole number from " + min + " to " + max;
    }
}
