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

/** A table of bad requests: each answered 4xx problem+json that says what is wrong, and nothing written. */
class BadInputTest {
    private final TestApi api = TestApi.get();
    private final UUID owner = UUID.randomUUID();
    private final String token = api.userToken(owner);
    private final String admin = api.serviceToken(UUID.randomUUID());

    private record Case(
            String why, String method, String path, String body, String contentType, int status, String mentions) {}

    private long rowsOfOwner() throws SQLException {
        try (Connection connection = TestDatabase.get().connection();
                Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery("SELECT (SELECT count(*) FROM agent_chat_session WHERE owner_id = '"
                        + owner + "') + (SELECT count(*) FROM agent_chat_message WHERE owner_id = '" + owner
                        + "') + (SELECT count(*) FROM agent_run WHERE owner_id = '" + owner
                        + "') + (SELECT count(*) FROM points_ledger WHERE owner_id = '" + owner + "')")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Test
    void badRequestsAreAnswered4xxWithAProblemAndWriteNothing() throws SQLException {
        String session = api.call("POST", "/v1/agent/sessions", token, "{\"title\":\"kept\"}")
                .json()
                .get("id")
                .asText();
        String runs = "/v1/agent/sessions/" + session + "/runs";
        String json = "application/json";
        List<Case> cases = List.of(
                new Case("malformed JSON", "POST", "/v1/agent/sessions", "{\"title\":", json, 400, "not valid JSON"),
                new Case("not an object", "POST", "/v1/agent/sessions", "[1,2]", json, 400, "JSON object"),
                new Case("empty body", "POST", "/v1/agent/sessions", "", json, 400, "JSON object"),
                new Case("title a number", "POST", "/v1/agent/sessions", "{\"title\":5}", json, 400, "title"),
                new Case("title an object", "POST", "/v1/agent/sessions", "{\"title\":{}}", json, 400, "title"),
                new Case(
                        "unknown field",
                        "POST",
                        "/v1/agent/sessions",
                        "{\"title\":\"x\",\"colour\":\"red\"}",
                        json,
                        400,
                        "colour"),
                new Case(
                        "llm_id not a UUID",
                        "POST",
                        "/v1/agent/sessions",
                        "{\"title\":\"x\",\"llm_id\":\"gpt\"}",
                        json,
                        400,
                        "llm_id"),
                new Case(
                        "unknown llm",
                        "POST",
                        "/v1/agent/sessions",
                        "{\"title\":\"x\",\"llm_id\":\"" + UUID.randomUUID() + "\"}",
                        json,
                        422,
                        "llm_id"),
                new Case("empty title", "POST", "/v1/agent/sessions", "{\"title\":\"  \"}", json, 422, "title"),
                new Case("no title", "POST", "/v1/agent/sessions", "{}", json, 422, "title"),
                new Case(
                        "title too long",
                        "POST",
                        "/v1/agent/sessions",
                        "{\"title\":\"" + "x".repeat(201) + "\"}",
                        json,
                        422,
                        "at most 200"),
                new Case(
                        "duplicate key",
                        "POST",
                        "/v1/agent/sessions",
                        "{\"title\":\"a\",\"title\":\"b\"}",
                        json,
                        400,
                        "title"),
                new Case("trailing garbage", "POST", "/v1/agent/sessions", "{\"title\":\"a\"} x", json, 400, "JSON"),
                new Case(
                        "text/plain",
                        "POST",
                        "/v1/agent/sessions",
                        "{\"title\":\"x\"}",
                        "text/plain",
                        415,
                        "application/json"),
                new Case(
                        "no content type",
                        "POST",
                        "/v1/agent/sessions",
                        "{\"title\":\"x\"}",
                        null,
                        415,
                        "application/json"),
                new Case(
                        "body too large",
                        "POST",
                        "/v1/agent/sessions",
                        "{\"title\":\"" + "x".repeat(TestApi.MAX_BODY_BYTES) + "\"}",
                        json,
                        413,
                        "larger"),
                new Case("path id not a UUID", "GET", "/v1/agent/sessions/123", null, null, 400, "UUID"),
                new Case("path id not a UUID on delete", "DELETE", "/v1/agent/sessions/abc", null, null, 400, "UUID"),
                new Case("limit zero", "GET", "/v1/agent/sessions?limit=0", null, null, 400, "limit"),
                new Case("limit too high", "GET", "/v1/agent/sessions?limit=101", null, null, 400, "limit"),
                new Case("limit not a number", "GET", "/v1/points/ledger?limit=ten", null, null, 400, "limit"),
                new Case("forged cursor", "GET", "/v1/agent/sessions?cursor=abc", null, null, 400, "cursor"),
                new Case("empty run input", "POST", runs, "{\"input\":\"\"}", json, 422, "input"),
                new Case("run input a list", "POST", runs, "{\"input\":[\"a\"]}", json, 400, "input"),
                new Case("patch nothing", "PATCH", "/v1/agent/sessions/" + session, "{}", json, 422, "title"),
                new Case("no such route", "GET", "/v1/nothing-here", null, null, 404, "no GET"),
                new Case("wrong method", "PUT", "/v1/agent/sessions", null, null, 405, "PUT"));

        for (Case c : cases) {
            Response response = api.call(
                    c.method(),
                    c.path(),
                    token,
                    c.body(),
                    "Content-Type",
                    c.contentType() == null ? "" : c.contentType());
            assertThat(response.status()).as(c.why() + ": " + response).isEqualTo(c.status());
            assertThat(response.isProblem())
                    .as(c.why() + " is problem+json: " + response)
                    .isTrue();
            assertThat(response.json().get("detail").asText()).as(c.why()).containsIgnoringCase(c.mentions());
        }
        assertThat(rowsOfOwner()).as("only the session made first").isEqualTo(1);
        assertThat(api.get("/v1/agent/sessions/" + session, token)
                        .json()
                        .get("title")
                        .asText())
                .isEqualTo("kept");
    }

    @Test
    void badAdminInputIsAnsweredWithTheFieldAndGrantsNothing() throws SQLException {
        List<String[]> cases = List.of(
                new String[] {"{\"owner_id\":\"" + owner + "\",\"amount\":\"10\",\"reason\":\"r\"}", "amount"},
                new String[] {"{\"owner_id\":\"" + owner + "\",\"amount\":1.5,\"reason\":\"r\"}", "amount"},
                new String[] {"{\"owner_id\":\"" + owner + "\",\"amount\":-5,\"reason\":\"r\"}", "amount"},
                new String[] {"{\"owner_id\":\"" + owner + "\",\"reason\":\"r\"}", "amount"},
                new String[] {"{\"owner_id\":\"" + owner + "\",\"amount\":5}", "reason"},
                new String[] {"{\"amount\":5,\"reason\":\"r\"}", "owner_id"},
                new String[] {"{\"owner_id\":\"x\",\"amount\":5,\"reason\":\"r\"}", "owner_id"});
        for (String[] c : cases) {
            Response response = api.grant(admin, c[0]);
            assertThat(response.status()).as(c[0] + ": " + response).isBetween(400, 422);
            assertThat(response.json().get("errors").has(c[1]))
                    .as(c[0] + ": " + response)
                    .isTrue();
        }
        Response badPrice = api.call("POST", "/v1/admin/llm/models", admin, """
                {"factory_id":"%s","model_code":"m","display_name":"M","request_url":"ftp://x",
                 "input_price_per_1k":-1,"output_price_per_1k":1}""".formatted(UUID.randomUUID()));
        assertThat(badPrice.status()).isEqualTo(422);
        assertThat(rowsOfOwner()).isZero();
    }
}
