package dev.eryao.services;

import dev.eryao.core.Causes;
import dev.eryao.core.db.SqlStates;
import java.sql.SQLException;
import java.util.Locale;
import org.hibernate.exception.ConstraintViolationException;

/**
 * Recognises the unique index a failed write ran into. Services use it where two concurrent
 * requests may both pass a "does it exist yet?" check: the database's unique index decides, and
 * the loser answers from what the winner committed instead of failing with a 500.
 */
final class UniqueViolation {
    private UniqueViolation() {}

    static boolean on(Throwable error, String indexName) {
        return Causes.any(error, cause -> names(cause, indexName));
    }

    /** Hibernate's violation naming the index, or the driver's unique violation quoting it. */
    private static boolean names(Throwable cause, String indexName) {
        if (cause instanceof ConstraintViolationException violation) {
            return violation.getConstraintName() != null
                    && violation.getConstraintName().toLowerCase(Locale.ROOT).contains(indexName);
        }
        return cause instanceof SQLException sql
                && SqlStates.UNIQUE_VIOLATION.equals(sql.getSQLState())
                && String.valueOf(sql.getMessage()).contains(indexName);
    }
}
