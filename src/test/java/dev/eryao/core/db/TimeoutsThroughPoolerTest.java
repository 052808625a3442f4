package dev.eryao.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.App;
import dev.eryao.core.config.DatabaseSettings;
import dev.eryao.core.config.PoolMode;
import dev.eryao.support.OptionsDroppingProxy;
import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The statement and lock timeouts still fire when the connection goes through a pooler that drops
 * the start-up {@code options} parameter, as Supabase's does: they are set with SQL.
 */
class TimeoutsThroughPoolerTest {
    private static final int STATEMENT_TIMEOUT_MS = 300;
    private static final int LOCK_TIMEOUT_MS = 200;

    private final TestDatabase server = TestDatabase.get();
    private OptionsDroppingProxy proxy;

    @BeforeEach
    void startProxy() throws Exception {
        DatabaseSettings direct = server.sessionSettings();
        proxy = new OptionsDroppingProxy(direct.host(), direct.port());
    }

    @AfterEach
    void stopProxy() throws Exception {
        proxy.close();
    }

    @Test
    void theProxyDropsStartUpOptionsAsSupabasesPoolerDoes() throws Exception {
        DatabaseSettings direct = server.sessionSettings();
        assertThat(showStatementTimeout(withOptions(direct.host(), direct.port())))
                .as("sent directly, the option applies")
                .isEqualTo("1234ms");

        assertThat(showStatementTimeout(withOptions(proxy.host(), proxy.port())))
                .as("through the proxy it is gone")
                .isNotEqualTo("1234ms");
        assertThat(proxy.droppedOptions()).isPositive();
    }

    @Test
    void inSessionModeEachPooledConnectionHasTheTimeoutsSetWithSql() throws Exception {
        try (Database database = Database.open(server.settings().withDatabase(throughProxy(PoolMode.SESSION)))) {
            try (Connection connection = database.dataSource().getConnection()) {
                assertThat(show(connection, "statement_timeout")).isEqualTo(STATEMENT_TIMEOUT_MS + "ms");
                connection.rollback();
                assertThat(show(connection, "statement_timeout"))
                        .as("the first transaction's rollback keeps it")
                        .isEqualTo(STATEMENT_TIMEOUT_MS + "ms");
                connection.setAutoCommit(true);
                assertThat(show(connection, "lock_timeout")).isEqualTo(LOCK_TIMEOUT_MS + "ms");

                assertThatThrownBy(() -> execute(connection, "SELECT pg_sleep(5)"))
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("statement timeout");

                long key = ThreadLocalRandom.current().nextLong();
                try (Connection holder = server.connection()) {
                    execute(holder, "SELECT pg_advisory_lock(" + key + ")");
                    assertThatThrownBy(() -> execute(connection, "SELECT pg_advisory_lock(" + key + ")"))
                            .isInstanceOf(SQLException.class)
                            .hasMessageContaining("lock timeout");
                }
            }
        }
    }

    @Test
    void inTransactionModeEachTransactionSetsItsTimeoutsLocallyAndLeavesTheSessionAsItFoundIt() throws Exception {
        try (App app = App.open(server.settings().withDatabase(throughProxy(PoolMode.TRANSACTION)))) {
            Transactions tx = app.transactions();

            assertThat(tx.fromTransaction(() -> tx.session()
                            .createNativeQuery("SHOW statement_timeout", String.class)
                            .getSingleResult()))
                    .isEqualTo(STATEMENT_TIMEOUT_MS + "ms");
            assertThatThrownBy(() -> tx.inTransaction(() -> tx.session()
                            .createNativeQuery("SELECT pg_sleep(5)::text", String.class)
                            .getSingleResult()))
                    .hasStackTraceContaining("statement timeout");
            assertThat(tx.oneStatement(() -> tx.session()
                            .createNativeQuery("SHOW statement_timeout", String.class)
                            .getSingleResult()))
                    .as("a one-statement unit runs in a transaction here, so it has the timeouts too")
                    .isEqualTo(STATEMENT_TIMEOUT_MS + "ms");

            long key = ThreadLocalRandom.current().nextLong();
            try (Connection holder = server.connection()) {
                execute(holder, "SELECT pg_advisory_lock(" + key + ")");
                assertThatThrownBy(() -> tx.inTransaction(() -> tx.session()
                                .createNativeQuery("SELECT pg_advisory_xact_lock(" + key + ")::text", String.class)
                                .getSingleResult()))
                        .hasStackTraceContaining("lock timeout");
            }

            try (Connection connection = app.database().dataSource().getConnection()) {
                connection.setAutoCommit(true);
                assertThat(show(connection, "statement_timeout"))
                        .as("SET LOCAL ended with its transaction: nothing lingers on a pooled server session")
                        .isNotEqualTo(STATEMENT_TIMEOUT_MS + "ms");
            }
        }
    }

    private DatabaseSettings throughProxy(PoolMode mode) {
        DatabaseSettings direct = server.sessionSettings();
        return direct.at(proxy.host(), proxy.port(), direct.user(), direct.sslMode())
                .withPoolMode(mode)
                .withTimeouts(
                        Duration.ofMillis(STATEMENT_TIMEOUT_MS),
                        Duration.ofMillis(LOCK_TIMEOUT_MS),
                        Duration.ofSeconds(1));
    }

    private PGSimpleDataSource withOptions(String host, int port) {
        DatabaseSettings direct = server.sessionSettings();
        PGSimpleDataSource plain = new PGSimpleDataSource();
        plain.setServerNames(new String[] {host});
        plain.setPortNumbers(new int[] {port});
        plain.setDatabaseName(direct.name());
        plain.setUser(direct.user());
        plain.setPassword(direct.password().reveal());
        plain.setSslMode("disable");
        plain.setOptions("-c statement_timeout=1234");
        return plain;
    }

    private static String showStatementTimeout(PGSimpleDataSource source) throws SQLException {
        try (Connection connection = source.getConnection()) {
            return show(connection, "statement_timeout");
        }
    }

    static String show(Connection connection, String setting) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SHOW " + setting)) {
            row.next();
            return row.getString(1);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
