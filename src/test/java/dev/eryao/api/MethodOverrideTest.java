package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.support.TestApi;
import dev.eryao.support.TestApi.Response;
import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A request is the method on its request line: a GET that asks, by any override header or
 * parameter, to be a DELETE, PATCH or POST is still a GET, and changes nothing.
 */
class MethodOverrideTest {
    private static final List<String> HEADERS =
            List.of("X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override", "x-http-method-override");

    private final TestApi api = TestApi.get();
    private final UUID owner = UUID.randomUUID();
    private final String token = api.userToken(owner);

    private String state() throws SQLException {
        try (Connection connection = TestDatabase.get().connection();
                Statement sql = connection.createStatement();
                ResultSet rows =
                        sql.executeQuery("SELECT string_agg(id || ':' || title || ':' || (deleted_at IS NULL), ',' "
                                + "ORDER BY id) || '|' || (SELECT count(*) FROM agent_run WHERE owner_id = '" + owner
                                + "') "
                                + "FROM agent_chat_session WHERE owner_id = '" + owner + "'")) {
            rows.next();
            return rows.getString(1);
        }
    }

    @Test
    void aGetWithAnOverrideIsStillAGetAndChangesNothing() throws SQLException {
        String id = api.call("POST", "/v1/agent/sessions", token, "{\"title\":\"kept\"}")
                .json()
                .get("id")
                .asText();
        String session = "/v1/agent/sessions/" + id;
        String before = state();

        for (String header : HEADERS) {
            Response deleted = api.call("GET", session, token, null, header, "DELETE");
            assertThat(deleted.status()).as(header + ": DELETE " + deleted).isEqualTo(200);
            assertThat(deleted.json().get("title").asText()).isEqualTo("kept");

            Response renamed = api.call("GET", session, token, "{\"title\":\"renamed\"}", header, "PATCH");
            assertThat(renamed.status()).as(header + ": PATCH " + renamed).isEqualTo(200);
            assertThat(renamed.json().get("title").asText()).isEqualTo("kept");

            Response created = api.call("GET", "/v1/agent/sessions", token, "{\"title\":\"new\"}", header, "POST");
            assertThat(created.status()).as(header + ": POST " + created).isEqualTo(200);
            assertThat(created.json().has("items")).as(created.toString()).isTrue();

            Response run = api.call("GET", session + "/runs", token, "{\"input\":\"hi\"}", header, "POST");
            assertThat(run.status()).as(header + ": POST run " + run).isEqualTo(200);
            assertThat(run.json().get("items"))
                    .as("the session's runs, listed: none was made")
                    .isEmpty();
        }
        Response byParameter = api.call("GET", session + "?_method=DELETE", token, null);
        assertThat(byParameter.status()).as(byParameter.toString()).isEqualTo(200);
        Response deleteAsPost =
                api.call("POST", session + "?_method=DELETE", token, "{}", "X-HTTP-Method-Override", "DELETE");
        assertThat(deleteAsPost.status())
                .as("a POST overridden to DELETE: " + deleteAsPost)
                .isEqualTo(405);

        assertThat(state())
                .as("no session deleted, renamed or created; no run queued")
                .isEqualTo(before);
    }
}
