package dev.eryao.core.db;

import java.util.List;
import java.util.Optional;

/**
 * Whether SQL someone else wrote would control the transaction it runs in: the same reading of
 * PostgreSQL's lexical shapes as the repositories' guard ({@link NativeSql}), for the data tools,
 * which must never let a query end, prepare or change their read-only transaction.
 */
public final class TransactionControl {
    private TransactionControl() {}

    /**
     * The transaction-control command ({@code COMMIT}, {@code PREPARE TRANSACTION}, ...) a statement
     * of {@code sql} starts with, if any.
     */
    public static Optional<String> in(String sql) {
        List<String> statements;
        try {
            statements = NativeSql.statements(sql);
        } catch (IllegalArgumentException unterminated) {
            return Optional.empty(); // the server reports what it cannot read
        }
        return statements.stream()
                .map(NativeSql::transactionControl)
                .filter(java.util.Objects::nonNull)
                .findFirst();
    }
}
