package dev.eryao.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.DatabaseSettings;
import dev.eryao.core.config.Environment;
import dev.eryao.core.config.Settings;
import dev.eryao.support.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

class DatabaseTest {
    private final DatabaseSettings server = TestDatabase.get().database().settings();

    private Settings settingsFor(Map<String, String> extra) {
        Map<String, String> variables = new java.util.HashMap<>(Map.of(
                "ERYAO_DATABASE__HOST", server.host(),
                "ERYAO_DATABASE__PORT", String.valueOf(server.port()),
                "ERYAO_DATABASE__NAME", server.name(),
                "ERYAO_DATABASE__USER", server.user(),
                "ERYAO_DATABASE__PASSWORD", server.password().reveal(),
                "ERYAO_DATABASE__SSLMODE", server.sslMode().pgValue(),
                "ERYAO_DATABASE__POOL_SIZE", "2"));
        variables.putAll(extra);
        return Settings.from(Environment.of(variables));
    }

    @Test
    void anUnreachableConfiguredDatabaseFailsStartUpWithOneClearMessage() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Settings settings = Settings.from(Environment.of(Map.of(
                "ERYAO_DATABASE__HOST", "127.0.0.1",
                "ERYAO_DATABASE__PORT", String.valueOf(closedPort),
                "ERYAO_DATABASE__PASSWORD", "hunter2",
                "ERYAO_DATABASE__CONNECT_TIMEOUT_SECONDS", "2")));

        assertThatThrownBy(() -> Database.open(settings))
                .isInstanceOf(DatabaseUnavailableException.class)
                .hasMessageStartingWith("cannot connect to postgres@127.0.0.1:" + closedPort + "/postgres")
                .hasMessageContaining("refused")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void transactionPoolModeUsesNoServerSidePreparedStatementsAndNoSessionSettings() throws Exception {
        try (Database database = Database.open(settingsFor(Map.of(
                        "ERYAO_DATABASE__POOL_MODE", "transaction", "ERYAO_DATABASE__STATEMENT_TIMEOUT_MS", "4321")));
                Connection connection = database.dataSource().getConnection()) {
            assertThat(connection.unwrap(PGConnection.class).getPrepareThreshold())
                    .isZero();
            assertThat(connection.unwrap(PGConnection.class).getDefaultFetchSize())
                    .isZero();
            assertThat(show(connection, "statement_timeout"))
                    .as("no session option through a pooler")
                    .isNotEqualTo("4321ms");
        }
    }

    @Test
    void sessionPoolModeSetsTheStatementTimeoutOnTheSession() throws Exception {
        DatabaseSettings direct = TestDatabase.get().sessionSettings(); // never through a transaction pooler
        try (Database database = Database.open(settingsFor(Map.of(
                        "ERYAO_DATABASE__HOST",
                        direct.host(),
                        "ERYAO_DATABASE__PORT",
                        String.valueOf(direct.port()),
                        "ERYAO_DATABASE__POOL_MODE",
                        "session",
                        "ERYAO_DATABASE__STATEMENT_TIMEOUT_MS",
                        "4321")));
                Connection connection = database.dataSource().getConnection()) {
            assertThat(connection.unwrap(PGConnection.class).getPrepareThreshold())
                    .isPositive();
            assertThat(show(connection, "statement_timeout")).isEqualTo("4321ms");
        }
    }

    @Test
    void pooledConnectionsComeWithAutoCommitOff() throws Exception {
        try (Connection connection = TestDatabase.get().database().dataSource().getConnection()) {
            assertThat(connection.getAutoCommit()).isFalse();
        }
    }

    private static String show(Connection connection, String setting) throws Exception {
        try (Statement sql = connection.createStatement();
                ResultSet row = sql.executeQuery("SHOW " + setting)) {
            row.next();
            return row.getString(1);
        }
    }
}
