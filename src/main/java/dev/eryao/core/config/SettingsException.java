package dev.eryao.core.config;

/**
 * A setting has a value the application cannot use. The message names the variable and what it
 * accepts, and never contains a secret's value, so it can be printed as the one line a user sees.
 */
public final class SettingsException extends RuntimeException {
    public SettingsException(String message) {
        super(message);
    }

    /**
     * {@code value}, refused when null: a record built directly with a setting missing (one read from
     * variables takes the default instead).
     */
    static <T> T required(String variable, T value) {
        if (value == null) {
            throw new SettingsException(variable + " is not set: the setting needs a value");
        }
        return value;
    }
}
