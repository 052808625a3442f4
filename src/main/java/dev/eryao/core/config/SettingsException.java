package dev.eryao.core.config;

/**
 * A setting has a value the application cannot use. The message names the variable and what it
 * accepts, and never contains a secret's value, so it can be printed as the one line a user sees.
 */
public final class SettingsException extends RuntimeException {
    public SettingsException(String message) {
        super(message);
    }
}
