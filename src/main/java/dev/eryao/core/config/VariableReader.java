package dev.eryao.core.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reads typed values from an {@link Environment}, failing with a {@link SettingsException} that
 * names the variable and what it accepts. A bad value is never replaced by the default: a default
 * applies only when the variable is unset.
 */
final class VariableReader {
    private final Environment environment;

    VariableReader(Environment environment) {
        this.environment = environment;
    }

    java.util.SortedSet<String> namesStartingWith(String prefix) {
        return environment.namesStartingWith(prefix);
    }

    String string(String name, String fallback) {
        return environment.get(name).orElse(fallback);
    }

    /** Null when unset. */
    String optionalString(String name) {
        return environment.get(name).orElse(null);
    }

    Secret secret(String name) {
        return Secret.of(environment.get(name).orElse(""));
    }

    /** A secret sent as an HTTP header's value: refused, by position and kind, never quoted, when it cannot be. */
    Secret headerSecret(String name) {
        Secret secret = secret(name);
        String problem = HeaderValue.problem(secret.reveal());
        if (problem != null) {
            throw new SettingsException(name + " contains a character not allowed in an HTTP header (" + problem
                    + "): set it again without it");
        }
        return secret;
    }

    int integer(String name, int fallback, int min, int max) {
        String raw = environment.get(name).orElse(null);
        if (raw == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the accepted range
        }
        throw new SettingsException(
                name + "='" + raw + "' is not accepted: expected a whole number from " + min + " to " + max);
    }

    /** Reads an enum whose constants are the accepted lower-case words, {@code -} written as {@code _}. */
    <E extends Enum<E>> E choice(String name, Class<E> type, E fallback) {
        String raw = environment.get(name).orElse(null);
        if (raw == null) {
            return fallback;
        }
        String constant = raw.toUpperCase(Locale.ROOT).replace('-', '_');
        for (E value : type.getEnumConstants()) {
            if (value.name().equals(constant)) {
                return value;
            }
        }
        String accepted =
                Arrays.stream(type.getEnumConstants()).map(VariableReader::word).collect(Collectors.joining(", "));
        throw new SettingsException(name + "='" + raw + "' is not accepted: expected one of " + accepted);
    }

    static String word(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
