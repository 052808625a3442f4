package dev.eryao.migrations;

/** A revision failed; the message names it and the database's reason, and it left nothing applied. */
public final class MigrationFailedException extends RuntimeException {
    public MigrationFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
