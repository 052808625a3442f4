package dev.eryao.support;

import java.util.ArrayList;
import java.util.List;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * Sees every statement Hibernate prepares; a test records those its own thread sends, so it can
 * assert how many statements a call costs and what they say.
 */
public final class SqlRecorder implements StatementInspector {
    private final ThreadLocal<List<String>> recording = new ThreadLocal<>();

    @Override
    public String inspect(String sql) {
        List<String> statements = recording.get();
        if (statements != null) {
            statements.add(sql);
        }
        return sql;
    }

    /** Records statements on this thread until the returned recording is closed. */
    public Recording record() {
        List<String> statements = new ArrayList<>();
        recording.set(statements);
        return new Recording(statements);
    }

    public final class Recording implements AutoCloseable {
        private final List<String> statements;

        private Recording(List<String> statements) {
            this.statements = statements;
        }

        public List<String> statements() {
            return List.copyOf(statements);
        }

        @Override
        public void close() {
            recording.remove();
        }
    }
}
