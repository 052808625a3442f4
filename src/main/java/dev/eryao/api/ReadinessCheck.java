package dev.eryao.api;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.SchemaStatus;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /readyz}: ready means the pool hands out a live connection and the schema is at the
 * newest revision this build carries. A load balancer should send no traffic otherwise.
 */
final class ReadinessCheck {
    private static final int VALID_TIMEOUT_SECONDS = 2;
    private static final Logger log = LoggerFactory.getLogger(ReadinessCheck.class);

    record Report(boolean ready, boolean database, boolean schemaAtHead, String revision) {
    }

    private final Database database;
    private final SchemaStatus schema;

    ReadinessCheck(Database database) {
        this.database = database;
        this.schema = new SchemaStatus(database);
    }

    Report check() {
        boolean reachable;
        try (Connection connection = database.dataSource().getConnection()) {
            reachable = connection.isValid(VALID_TIMEOUT_SECONDS);
        } catch (SQLException e) {
            log.warn("readiness: database unreachable: {}", e.getMessage());
            reachable = false;
        }
        if (!reachable) {
            return new Report(false, false, false, null);
        }
        try {
            SchemaStatus.State state = schema.read();
            return new Report(state.atHead(), true, state.atHead(), state.current());
        } catch (RuntimeException e) {
            log.warn("readiness: cannot read the schema history: {}", e.getMessage());
            return new Report(false, true, false, null);
        }
    }
}
