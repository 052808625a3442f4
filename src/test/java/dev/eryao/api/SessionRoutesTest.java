package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.support.TestApi;
import dev.eryao.support.TestApi.Response;
import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SessionRoutesTest {
    private final TestApi api = TestApi.get();
    private final UUID alice = UUID.randomUUID();
    private final String token = api.userToken(alice);

    private JsonNode create(String title) {
        Response created = api.call("POST", "/v1/agent/sessions", token, "{\"title\":\"" + title + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    @Test
    void aSessionIsCreatedReadRenamedAndDeletedOverHttp() {
        JsonNode session = create("Trip planning");
        String id = session.get("id").asText();
        assertThat(session.get("owner_id").asText()).isEqualTo(alice.toString());
        assertThat(session.get("created_at").asText()).endsWith("Z");

        assertThat(api.get("/v1/agent/sessions/" + id, token)
                        .json()
                        .get("title")
                        .asText())
                .isEqualTo("Trip planning");

        Response renamed = api.call("PATCH", "/v1/agent/sessions/" + id, token, "{\"title\":\"Lisbon\"}");
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.json().get("title").asText()).isEqualTo("Lisbon");

        Response deleted = api.call("DELETE", "/v1/agent/sessions/" + id, token, null);
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
    }

    @Test
    void aDeletedSessionIsA404WhileItsRowStaysWithDeletedAtSet() throws SQLException {
        String id = create("to delete").get("id").asText();
        assertThat(api.call("DELETE", "/v1/agent/sessions/" + id, token, null).status())
                .isEqualTo(204);

        for (Response response : List.of(
                api.get("/v1/agent/sessions/" + id, token),
                api.call("PATCH", "/v1/agent/sessions/" + id, token, "{\"title\":\"back\"}"),
                api.call("DELETE", "/v1/agent/sessions/" + id, token, null),
                api.get("/v1/agent/sessions/" + id + "/messages", token))) {
            assertThat(response.status()).as(response.toString()).isEqualTo(404);
            assertThat(response.isProblem()).isTrue();
        }
        assertThat(api.get("/v1/agent/sessions", token).json().get("items")).isEmpty();
        try (Connection connection = TestDatabase.get().connection();
                Statement sql = connection.createStatement();
                ResultSet row = sql.executeQuery("SELECT deleted_at FROM agent_chat_session WHERE id = '" + id + "'")) {
            assertThat(row.next()).as("the row stays").isTrue();
            assertThat(row.getObject(1)).as("deleted_at").isNotNull();
        }
    }

    @Test
    void theListPagesNewestFirstWithACursorUntilNextCursorIsNull() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(create("s" + i).get("id").asText());
        }
        List<String> seen = new ArrayList<>();
        String cursor = "";
        do {
            JsonNode page = api.get("/v1/agent/sessions?limit=2" + (cursor.isEmpty() ? "" : "&cursor=" + cursor), token)
                    .json();
            page.get("items").forEach(item -> seen.add(item.get("id").asText()));
            cursor = page.get("next_cursor").isNull()
                    ? ""
                    : page.get("next_cursor").asText();
        } while (!cursor.isEmpty());

        assertThat(seen).containsExactlyElementsOf(created.reversed());
    }

    @Test
    void anOwnerIdInThePayloadIsIgnored() {
        UUID someoneElse = UUID.randomUUID();
        Response created = api.call(
                "POST", "/v1/agent/sessions", token, "{\"title\":\"mine\",\"owner_id\":\"" + someoneElse + "\"}");

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("owner_id").asText()).isEqualTo(alice.toString());
        assertThat(api.get("/v1/agent/sessions", api.userToken(someoneElse))
                        .json()
                        .get("items"))
                .isEmpty();
    }

    @Test
    void aNewSessionHasNoMessagesAndMessagesAreListedOldestFirst() {
        String id = create("chat").get("id").asText();
        Response messages = api.get("/v1/agent/sessions/" + id + "/messages", token);

        assertThat(messages.status()).isEqualTo(200);
        assertThat(messages.json().get("items")).isEmpty();
        assertThat(messages.json().get("next_cursor").isNull()).isTrue();
    }
}
