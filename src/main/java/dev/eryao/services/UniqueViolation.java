package dev.eryao.services;

import java.sql.SQLException;
import java.util.Locale;
import org.hibernate.exception.ConstraintViolationException;

/**
 * Recognises the unique index a failed write ran into. Services use it where two concurrent
 * requests may both pass a "does it exist yet?" check: the database's unique index decides, and
 * the loser answers from what the winner committed instead of failing with a 500.
 */
final class UniqueViolation {
    private static final String UNIQUE_VIOLATION = "23505";

    private UniqueViolation() {
    }

    static boolean on(Throwable error, String indexName) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ConstraintViolationException violation
                    && violation.getConstraintName() != null
                    && violation.getConstraintName().toLowerCase(Locale.ROOT).contains(indexName)) {
                return true;
            }
            if (cause instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())
                    && String.valueOf(sql.getMessage()).contains(indexName)) {
                return true;
            }
        }
        return false;
    }
}
