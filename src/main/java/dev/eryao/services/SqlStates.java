package dev.eryao.services;

import java.sql.SQLException;

/** Finds the SQLSTATE PostgreSQL gave a failed statement, wherever Hibernate wrapped it. */
final class SqlStates {
    private SqlStates() {
    }

    static boolean has(Throwable error, String sqlState) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof SQLException sql && sqlState.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
