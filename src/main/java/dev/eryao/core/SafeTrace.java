package dev.eryao.core;

import java.sql.SQLException;

/**
 * An exception as a log line that cannot carry what a client sent: each exception's class and, for
 * database errors, its SQLSTATE, then the stack frames of the first and the innermost, but no
 * message. Messages can echo user content: a JDBC or Hibernate error quotes bind values, SQL text or
 * a failing row ({@code Detail: Failing row contains (...)}), and a title or a run's input is a
 * user's private text.
 */
public final class SafeTrace {
    /** Frames shown per exception: enough to find the throwing code, short enough to read. */
    static final int MAX_FRAMES = 25;

    private SafeTrace() {}

    public static String of(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable t : Causes.chain(error)) {
            text.append(text.isEmpty() ? "" : " <- ").append(t.getClass().getName());
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                text.append(" (SQLSTATE ").append(sql.getSQLState()).append(')');
            }
        }
        Throwable innermost = Causes.root(error);
        frames(text, error);
        if (innermost != error) {
            text.append("\n  innermost ").append(innermost.getClass().getName()).append(':');
            frames(text, innermost);
        }
        return text.toString();
    }

    private static void frames(StringBuilder text, Throwable t) {
        StackTraceElement[] trace = t.getStackTrace();
        for (int i = 0; i < Math.min(trace.length, MAX_FRAMES); i++) {
            text.append("\n\tat ").append(trace[i]);
        }
        if (trace.length > MAX_FRAMES) {
            text.append("\n\t... ").append(trace.length - MAX_FRAMES).append(" more");
        }
    }
}
