package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.SafeTrace;
import dev.eryao.support.LogCapture;
import dev.eryao.support.TestApi;
import dev.eryao.support.TestApi.Response;
import dev.eryao.support.TestDatabase;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * No log line carries what a user wrote: text PostgreSQL cannot store is refused before it reaches
 * the database (where the failed insert's error quoted it, stack trace and all), and an unexpected
 * error is logged by class, SQLSTATE and frames, never by message.
 */
class NoContentInLogsTest {
    private final TestApi api = TestApi.get();

    private static List<String> logsDuring(Runnable action) {
        return LogCapture.during(action);
    }

    @Test
    void aNulInAUsersTextIsA422AndIsNeitherStoredNorLogged() throws SQLException {
        UUID owner = UUID.randomUUID();
        String token = api.userToken(owner);
        String secret = "private-" + UUID.randomUUID();
        List<Response> responses = new ArrayList<>();
        List<String> logs = logsDuring(() -> {
            responses.add(api.call("POST", "/v1/agent/sessions", token, "{\"title\":\"" + secret + "\\u0000\"}"));
        });

        assertThat(logs).as("log lines").noneMatch(line -> line != null && line.contains(secret));
        assertThat(responses.get(0).status()).as(responses.get(0).toString()).isEqualTo(422);
        assertThat(responses.get(0).json().get("errors").has("title")).isTrue();
        try (Connection connection = TestDatabase.get().connection();
                Statement sql = connection.createStatement();
                ResultSet rows =
                        sql.executeQuery("SELECT count(*) FROM agent_chat_session WHERE owner_id = '" + owner + "'")) {
            rows.next();
            assertThat(rows.getLong(1)).isZero();
        }
    }

    /** What the driver's errors look like: pgjdbc's batch error quotes the statement with its values. */
    @Test
    void anUnexpectedErrorIsDescribedWithoutItsMessages() {
        String secret = "private-" + UUID.randomUUID();
        SQLException driver = new BatchUpdateException(
                "Batch entry 0 insert into agent_chat_session values ('" + secret + "') was aborted",
                "22021",
                new int[0]);
        driver.setNextException(new SQLException("ERROR: invalid byte sequence; " + secret, "22021"));
        RuntimeException wrapped = new IllegalStateException(
                "could not execute statement: " + secret, new RuntimeException(secret, driver));

        String line = SafeTrace.of(wrapped);

        assertThat(line)
                .doesNotContain(secret)
                .contains(IllegalStateException.class.getName())
                .contains(BatchUpdateException.class.getName() + " (SQLSTATE 22021)")
                .contains("at dev.eryao.api.NoContentInLogsTest");
    }
}
