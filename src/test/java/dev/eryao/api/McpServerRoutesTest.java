package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.mcp.McpHttpServer;
import dev.eryao.mcp.StandInMcpServer;
import dev.eryao.support.TestApi;
import dev.eryao.support.TestApi.Response;
import java.net.ServerSocket;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/admin/mcp-servers}: the registry of MCP servers over real HTTP, every answer checked
 * against the OpenAPI document; the live tool listing against the stand-in's real MCP server.
 */
class McpServerRoutesTest {
    private static final String BASE = "/v1/admin/mcp-servers";
    private final TestApi api = TestApi.get();
    private final String admin = api.serviceToken(UUID.randomUUID());
    private final String user = api.userToken(UUID.randomUUID());
    private final String unique = UUID.randomUUID().toString().substring(0, 8);
    private McpHttpServer standIn;

    @AfterEach
    void stop() {
        if (standIn != null) {
            standIn.close();
        }
    }

    private Response register(String body) {
        return api.call("POST", BASE, admin, body);
    }

    private String body(String name, String url) {
        return """
                {"name":"%s","url":"%s","allowed_tools":["add","word_count"],"approval_tools":["add"],
                 "price_per_call":3,"secret_header_name":"X-Api-Key","secret_header_variable":"ERYAO_MCP_TEST_TOKEN"}
                """.formatted(name, url);
    }

    private static boolean lists(JsonNode items, String id) {
        for (JsonNode item : items) {
            if (item.get("id").asText().equals(id)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void anAdminRegistersReadsChangesAndDeletesAServer() {
        Response created = register(body("srv-" + unique, "http://127.0.0.1:9/mcp"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode server = created.json();
        String id = server.get("id").asText();
        assertThat(server.get("name").asText()).isEqualTo("srv-" + unique);
        assertThat(server.get("allowed_tools")).extracting(JsonNode::asText).containsExactly("add", "word_count");
        assertThat(server.get("approval_tools")).extracting(JsonNode::asText).containsExactly("add");
        assertThat(server.get("price_per_call").asLong()).isEqualTo(3);
        assertThat(server.get("secret_header_name").asText()).isEqualTo("X-Api-Key");
        assertThat(server.get("secret_header_variable").asText()).isEqualTo("ERYAO_MCP_TEST_TOKEN");
        assertThat(server.get("is_enabled").asBoolean()).isTrue();

        assertThat(lists(api.get(BASE, admin).json().get("items"), id)).isTrue();
        assertThat(api.get(BASE + "/" + id, admin).json().get("url").asText()).isEqualTo("http://127.0.0.1:9/mcp");

        Response changed = api.call(
                "PATCH",
                BASE + "/" + id,
                admin,
                "{\"allowed_tools\":[\"*\"],\"price_per_call\":0,\"is_enabled\":false,\"secret_header_name\":\"\"}");
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().get("allowed_tools"))
                .extracting(JsonNode::asText)
                .containsExactly("*");
        assertThat(changed.json().get("approval_tools"))
                .extracting(JsonNode::asText)
                .containsExactly("add");
        assertThat(changed.json().get("price_per_call").asLong()).isZero();
        assertThat(changed.json().get("is_enabled").asBoolean()).isFalse();
        assertThat(changed.json().get("secret_header_name").isNull()).isTrue();
        assertThat(changed.json().get("secret_header_variable").isNull()).isTrue();

        assertThat(api.call("DELETE", BASE + "/" + id, admin, null).status()).isEqualTo(204);
        assertThat(api.get(BASE + "/" + id, admin).status()).isEqualTo(404);
        assertThat(api.call("DELETE", BASE + "/" + id, admin, null).status()).isEqualTo(404);
        assertThat(lists(api.get(BASE, admin).json().get("items"), id)).isFalse();
        assertThat(register(body("srv-" + unique, "http://127.0.0.1:9/mcp")).status())
                .as("a deleted registration's name can be used again")
                .isEqualTo(201);
    }

    @Test
    void aDuplicateNameIsAConflictAndUsersMayNotTouchTheRegistry() {
        assertThat(register(body("dup-" + unique, "http://127.0.0.1:9/mcp")).status())
                .isEqualTo(201);

        Response again = register(body("dup-" + unique, "http://127.0.0.1:9/other"));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.isProblem()).isTrue();
        assertThat(api.call("POST", BASE, user, body("mine-" + unique, "http://127.0.0.1:9/mcp"))
                        .status())
                .isEqualTo(403);
        assertThat(api.get(BASE, user).status()).isEqualTo(403);
    }

    @Test
    void badInputIsA422NamingTheFieldAndRegistersNothing() {
        String name = "bad-" + unique;
        assertRefused(body("Bad Name", "http://127.0.0.1:9/mcp"), "name");
        assertRefused(body("two__parts", "http://127.0.0.1:9/mcp"), "name");
        assertRefused(body("trailing_", "http://127.0.0.1:9/mcp"), "name");
        assertRefused(body("x".repeat(33), "http://127.0.0.1:9/mcp"), "name");
        assertRefused(body(name, "ftp://127.0.0.1/mcp"), "url");
        assertRefused(body(name, "file:///etc/passwd"), "url");
        assertRefused(body(name, "http://user:pass@127.0.0.1:9/mcp"), "url");
        assertRefused(
                body(name, "http://127.0.0.1:9/mcp").replace("ERYAO_MCP_TEST_TOKEN", "HOME"), "secret_header_variable");
        assertRefused(
                body(name, "http://127.0.0.1:9/mcp").replace("ERYAO_MCP_TEST_TOKEN", "ERYAO_DATABASE__PASSWORD"),
                "secret_header_variable");
        assertRefused(
                body(name, "http://127.0.0.1:9/mcp").replace("ERYAO_MCP_TEST_TOKEN", "ERYAO_DATA_DIR"),
                "secret_header_variable");
        assertRefused(body(name, "http://127.0.0.1:9/mcp").replace("\"X-Api-Key\"", "\"Host\""), "secret_header_name");
        assertRefused(
                "{\"name\":\"" + name + "\",\"url\":\"http://127.0.0.1:9/mcp\",\"allowed_tools\":[\"*\"],"
                        + "\"secret_header_name\":\"X-Api-Key\"}",
                "secret_header_variable");
        assertRefused(
                body(name, "http://127.0.0.1:9/mcp").replace("\"price_per_call\":3", "\"price_per_call\":-1"),
                "price_per_call");
        assertRefused(
                "{\"name\":\"" + name + "\",\"url\":\"http://127.0.0.1:9/mcp\",\"allowed_tools\":[]}", "allowed_tools");
        assertRefused("{\"name\":\"" + name + "\",\"url\":\"http://127.0.0.1:9/mcp\"}", "allowed_tools");
        assertRefused(
                "{\"name\":\"" + name + "\",\"url\":\"http://127.0.0.1:9/mcp\",\"allowed_tools\":[\"*\",\"add\"]}",
                "allowed_tools");
        assertRefused(
                "{\"name\":\"" + name + "\",\"url\":\"http://127.0.0.1:9/mcp\",\"allowed_tools\":[\"a.b\"]}",
                "allowed_tools");

        assertThat(api.get(BASE, admin).json().get("items").findValuesAsText("name"))
                .doesNotContain(name);
        String id =
                register(body(name, "http://127.0.0.1:9/mcp")).json().get("id").asText();
        Response patch = api.call("PATCH", BASE + "/" + id, admin, "{\"url\":\"gopher://x\"}");
        assertThat(patch.status()).isEqualTo(422);
        assertThat(patch.json().get("errors").has("url")).isTrue();
        assertThat(api.get(BASE + "/" + id, admin).json().get("url").asText()).isEqualTo("http://127.0.0.1:9/mcp");
    }

    private void assertRefused(String body, String field) {
        Response refused = register(body);
        assertThat(refused.status()).as(body + " -> " + refused).isEqualTo(422);
        assertThat(refused.isProblem()).isTrue();
        assertThat(refused.json().get("errors").has(field))
                .as(refused.toString())
                .isTrue();
    }

    @Test
    void theLiveToolListMarksEachToolAsItsRegistrationSays() throws Exception {
        standIn = StandInMcpServer.start(0);
        String id =
                register("""
                {"name":"live-%s","url":"%s","allowed_tools":["add","clock"],"approval_tools":["add","nope"],
                 "price_per_call":2}
                """.formatted(unique, standIn.url())).json().get("id").asText();

        Response tools = api.get(BASE + "/" + id + "/tools", admin);

        assertThat(tools.status()).as(tools.toString()).isEqualTo(200);
        JsonNode body = tools.json();
        assertThat(body.get("reachable").asBoolean()).isTrue();
        assertThat(body.get("error").isNull()).isTrue();
        assertThat(body.get("tools").findValuesAsText("name")).containsExactly("add", "word_count", "clock");
        JsonNode add = body.get("tools").get(0);
        assertThat(add.get("exposed_name").asText()).isEqualTo("live-" + unique + "__add");
        assertThat(add.get("allowed").asBoolean()).isTrue();
        assertThat(add.get("requires_approval").asBoolean()).isTrue();
        assertThat(add.get("offered").asBoolean()).isTrue();
        assertThat(add.get("price_per_call").asLong()).isEqualTo(2);
        assertThat(add.get("input_schema_json").asText()).contains("\"a\"");
        JsonNode words = body.get("tools").get(1);
        assertThat(words.get("allowed").asBoolean()).isFalse();
        assertThat(words.get("offered").asBoolean()).isFalse();
        assertThat(body.get("tools").get(2).get("requires_approval").asBoolean())
                .isFalse();
    }

    @Test
    void aServerThatIsDownListsAsUnreachableWithTheReason() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String id = register("{\"name\":\"down-" + unique + "\",\"url\":\"http://127.0.0.1:" + closedPort
                        + "/mcp\",\"allowed_tools\":[\"*\"]}")
                .json()
                .get("id")
                .asText();

        JsonNode tools = api.get(BASE + "/" + id + "/tools", admin).json();

        assertThat(tools.get("reachable").asBoolean()).isFalse();
        assertThat(tools.get("error").asText())
                .startsWith("MCP server 'down-" + unique + "' could not be listed: it cannot be reached");
        assertThat(tools.get("tools")).isEmpty();
        assertThat(api.get(BASE + "/" + UUID.randomUUID() + "/tools", admin).status())
                .isEqualTo(404);
    }
}
