package dev.eryao.core.db;

/** PostgreSQL could not be reached or refused us; the message says where and why, never a password. */
public final class DatabaseUnavailableException extends RuntimeException {
    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
