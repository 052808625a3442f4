package dev.eryao.tools;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * A tool could not do what it was asked: the input was unusable, or the database refused it. The
 * message is one line a person or an agent can act on; for a refusal it is the database's own
 * message and SQLSTATE, so what stopped a write is visible, not paraphrased.
 */
public final class ToolException extends RuntimeException {
    public ToolException(String message) {
        super(message);
    }

    public ToolException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code ERROR: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)}. */
    static ToolException fromDatabase(SQLException error) {
        return new ToolException(databaseMessage(error), error);
    }

    static String databaseMessage(SQLException error) {
        if (error instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
            ServerErrorMessage server = psql.getServerErrorMessage();
            return server.getSeverity() + ": " + oneLine(server.getMessage()) + " (SQLSTATE " + server.getSQLState()
                    + ")";
        }
        String state = error.getSQLState() == null ? "" : " (SQLSTATE " + error.getSQLState() + ")";
        return oneLine(String.valueOf(error.getMessage())) + state;
    }

    /** PostgreSQL quotes the offending value in some messages; one line stays readable however large it was. */
    static final int MAX_MESSAGE_CHARS = 2_000;

    private static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s*\\R\\s*", " ");
        return line.length() <= MAX_MESSAGE_CHARS
                ? line
                : line.substring(0, MAX_MESSAGE_CHARS) + "… (" + (line.length() - MAX_MESSAGE_CHARS)
                        + " more characters)";
    }
}
