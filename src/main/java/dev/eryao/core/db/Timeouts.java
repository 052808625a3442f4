package dev.eryao.core.db;

import java.time.Duration;

/**
 * A statement timeout and a lock timeout (milliseconds, 0 for none), as the SQL that applies them.
 *
 * <p>They are always set with SQL, never only in the start-up {@code options} parameter: Supabase's
 * pooler (Supavisor) forwards nothing from {@code options} but {@code search_path}, so a timeout sent
 * there silently vanishes. A session that is ours while we hold it (a direct connection or the
 * session pooler) gets {@link #sessionSql()} once when it opens; behind a transaction pooler, where
 * the next transaction may run on another server session and a plain {@code SET} would linger on a
 * session someone else gets, each transaction starts with {@link #transactionSql()} instead, which
 * lasts until that transaction ends.
 */
public record Timeouts(int statementTimeoutMs, int lockTimeoutMs) {
    public Timeouts {
        if (statementTimeoutMs < 0 || lockTimeoutMs < 0) {
            throw new IllegalArgumentException("timeouts cannot be negative");
        }
    }

    /** From settings' durations, in whole milliseconds as PostgreSQL takes them. */
    public static Timeouts of(Duration statementTimeout, Duration lockTimeout) {
        return new Timeouts(Math.toIntExact(statementTimeout.toMillis()), Math.toIntExact(lockTimeout.toMillis()));
    }

    /** For the start of a session: lasts as long as the session. */
    public String sessionSql() {
        return "SET statement_timeout = " + statementTimeoutMs + "; SET lock_timeout = " + lockTimeoutMs;
    }

    /** For the start of a transaction ({@code SET LOCAL}): lasts until it commits or rolls back. */
    public String transactionSql() {
        return "SELECT set_config('statement_timeout', '" + statementTimeoutMs + "ms', true), "
                + "set_config('lock_timeout', '" + lockTimeoutMs + "ms', true)";
    }
}
