package dev.eryao.cli;

/**
 * A failure the user can act on — a port already taken, a setting that does not fit the command,
 * a file that cannot be read or written — thrown where a command knows that. Its message says
 * what is wrong and what to do, and is printed as the one line the user sees (exit status 1);
 * anything unexpected prints its stack trace instead ({@link Main}).
 */
final class UserError extends RuntimeException {
    UserError(String message) {
        super(message);
    }

    UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
