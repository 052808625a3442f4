package dev.eryao.core;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An exception's cause chain, walked in one place: Hibernate, HikariCP, Jetty and the JDK wrap the
 * error that matters (a driver's {@link SQLException}, a timeout) a few layers deep, and callers
 * ask what is in there. Each exception is visited once, outermost first, so a chain that loops
 * back on itself (an exception its own cause, or two causing each other) still ends.
 */
public final class Causes {
    private Causes() {}

    /** {@code error} and its causes, outermost first, each once. */
    public static List<Throwable> chain(Throwable error) {
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    /** The outermost exception in the chain that is a {@code type}. */
    public static <T extends Throwable> Optional<T> find(Throwable error, Class<T> type) {
        return chain(error).stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** Whether any exception in the chain passes {@code test}. */
    public static boolean any(Throwable error, Predicate<Throwable> test) {
        return chain(error).stream().anyMatch(test);
    }

    /** The innermost exception: the one that started it all ({@code error} itself when it has no cause). */
    public static Throwable root(Throwable error) {
        List<Throwable> chain = chain(error);
        return chain.getLast();
    }

    /** The SQLSTATE of the outermost database error in the chain that has one, or null. */
    public static String sqlState(Throwable error) {
        return chain(error).stream()
                .filter(SQLException.class::isInstance)
                .map(t -> ((SQLException) t).getSQLState())
                .filter(state -> state != null)
                .findFirst()
                .orElse(null);
    }

    /** Whether any database error in the chain has the SQLSTATE {@code state} ({@link dev.eryao.core.db.SqlStates}). */
    public static boolean hasSqlState(Throwable error, String state) {
        return any(error, t -> t instanceof SQLException sql && state.equals(sql.getSQLState()));
    }
}
