package dev.eryao.core.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;

/**
 * Each SQL statement the backend sends as a child span of the span current on the sending thread
 * — a request's, a run attempt's — named by its operation ({@code SELECT}, {@code INSERT}, ...)
 * with {@code db.system.name} and {@code db.query.text} (the statement as written, its values bound
 * as parameters, so no value is in it). A statement sent outside any trace (the lease rescuer, a
 * scrape's gauges, an idle claim) makes no span: statements never start a trace of their own.
 *
 * <p>Connections and statements are wrapped in JDK proxies, and only when tracing is on (see
 * {@link Tracing#enabled()}); off, the pool's connections are used as they are.
 */
public final class TracedStatements {
    private static final Set<String> EXECUTES = Set.of(
            "execute", "executeQuery", "executeUpdate", "executeLargeUpdate", "executeBatch", "executeLargeBatch");

    private final Tracer tracer;

    public TracedStatements(Tracer tracer) {
        this.tracer = tracer;
    }

    /** {@code connection} with each statement it prepares or creates traced. */
    public Connection wrap(Connection connection) {
        return (Connection) Proxy.newProxyInstance(
                TracedStatements.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                new Connections(connection));
    }

    private final class Connections implements InvocationHandler {
        private final Connection connection;

        Connections(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            Object result = call(connection, method, args);
            return switch (method.getName()) {
                case "prepareStatement" -> statement(PreparedStatement.class, (Statement) result, (String) args[0]);
                case "prepareCall" -> statement(CallableStatement.class, (Statement) result, (String) args[0]);
                case "createStatement" -> statement(Statement.class, (Statement) result, null);
                default -> result;
            };
        }
    }

    private Object statement(Class<? extends Statement> type, Statement statement, String sql) {
        return Proxy.newProxyInstance(
                TracedStatements.class.getClassLoader(), new Class<?>[] {type}, new Statements(statement, sql));
    }

    private final class Statements implements InvocationHandler {
        private final Statement statement;
        /** The prepared SQL; null for a plain statement, whose SQL comes with each execute. */
        private final String prepared;

        Statements(Statement statement, String prepared) {
            this.statement = statement;
            this.prepared = prepared;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (!EXECUTES.contains(method.getName())
                    || !Span.current().getSpanContext().isValid()) {
                return call(statement, method, args);
            }
            String sql = prepared != null ? prepared : args != null && args.length > 0 ? (String) args[0] : "";
            Span span = tracer.spanBuilder(operationOf(sql))
                    .setParent(Context.current())
                    .setSpanKind(SpanKind.CLIENT)
                    .setAttribute("db.system.name", "postgresql")
                    .setAttribute("db.query.text", sql)
                    .startSpan();
            try {
                return call(statement, method, args);
            } catch (SQLException e) {
                span.setStatus(StatusCode.ERROR);
                span.setAttribute("error.type", e.getSQLState() == null ? "SQLException" : e.getSQLState());
                throw e;
            } finally {
                span.end();
            }
        }
    }

    /** The statement's first word, upper-cased: a bounded span name ({@code WITH} for a CTE). */
    static String operationOf(String sql) {
        String text = sql.stripLeading();
        int end = 0;
        while (end < text.length() && Character.isLetter(text.charAt(end))) {
            end++;
        }
        return end == 0 ? "SQL" : text.substring(0, end).toUpperCase(Locale.ROOT);
    }

    /** Calls the real object, throwing what it threw (not the reflection's wrapper). */
    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
