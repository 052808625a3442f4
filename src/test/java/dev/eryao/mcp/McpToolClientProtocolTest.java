package dev.eryao.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.Secret;
import dev.eryao.support.ScriptedMcpServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The MCP client against a loopback server speaking JSON-RPC as the test scripts it: listing
 * through pages, hostile pages, garbage, a JSON-RPC error, and the secret header.
 */
class McpToolClientProtocolTest {
    private final McpToolClient client = new McpToolClient(Duration.ofSeconds(10), 1_024);
    private ScriptedMcpServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        client.close();
    }

    private static Runnable noCancel(Runnable ignored) {
        return () -> {};
    }

    private McpEndpoint endpoint() {
        return McpEndpoint.open("scripted", server.url());
    }

    @Test
    void listingFollowsNextCursorThroughEveryPage() throws Exception {
        server = ScriptedMcpServer.start(
                cursor -> switch (cursor == null ? "" : cursor) {
                    case "" ->
                        Map.of(
                                "tools",
                                List.of(ScriptedMcpServer.tool("a"), ScriptedMcpServer.tool("b")),
                                "nextCursor",
                                "page-2");
                    case "page-2" -> Map.of("tools", List.of(ScriptedMcpServer.tool("c")), "nextCursor", "page-3");
                    default -> Map.of("tools", List.of(ScriptedMcpServer.tool("d")));
                },
                request -> "");

        assertThat(client.list(endpoint())).extracting(ListedTool::name).containsExactly("a", "b", "c", "d");
    }

    @Test
    void aServerWhosePagesNeverEndIsRefusedNotFollowedForever() throws Exception {
        server = ScriptedMcpServer.start(
                cursor -> Map.of("tools", List.of(ScriptedMcpServer.tool("loop")), "nextCursor", "again"),
                request -> "");

        assertThatThrownBy(() -> client.list(endpoint()))
                .isInstanceOf(McpUnavailableException.class)
                .hasMessage("MCP server 'scripted' could not be listed: gave a page cursor it had given before (its"
                        + " pages never end)");
    }

    @Test
    void aServerListingMorePagesThanTheBoundIsRefused() throws Exception {
        server = ScriptedMcpServer.start(
                cursor -> Map.of(
                        "tools", List.of(),
                        "nextCursor", String.valueOf(cursor == null ? 1 : Integer.parseInt(cursor) + 1)),
                request -> "");

        assertThatThrownBy(() -> client.list(endpoint()))
                .isInstanceOf(McpUnavailableException.class)
                .hasMessage("MCP server 'scripted' could not be listed: lists more than " + McpToolClient.MAX_PAGES
                        + " pages of tools");
    }

    @Test
    void garbageForAnAnswerIsAnErrorAnswer() throws Exception {
        server = ScriptedMcpServer.start(cursor -> Map.of("tools", List.of()), request -> "this is not JSON {");

        McpToolAnswer answer = client.call(endpoint(), "x", "{}", McpToolClientProtocolTest::noCancel);

        assertThat(answer.error()).isTrue();
        assertThat(answer.content())
                .startsWith("the call of tool 'x' on MCP server 'scripted' failed: it answered something that is not"
                        + " an MCP answer");
    }

    @Test
    void aJsonRpcErrorIsAnErrorAnswerWithItsCodeAndMessage() throws Exception {
        server = ScriptedMcpServer.start(
                cursor -> Map.of("tools", List.of()),
                request -> "{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id")
                        + ",\"error\":{\"code\":-32602,\"message\":\"Unknown tool: x\"}}");

        McpToolAnswer answer = client.call(endpoint(), "x", "{}", McpToolClientProtocolTest::noCancel);

        assertThat(answer)
                .isEqualTo(new McpToolAnswer(
                        "the call of tool 'x' on MCP server 'scripted' failed: it answered with JSON-RPC error -32602:"
                                + " Unknown tool: x",
                        true));
    }

    @Test
    void anHttpErrorStatusIsAnErrorAnswerAndAnUnauthorizedOneSaysToCheckTheSecret() throws Exception {
        server = ScriptedMcpServer.start(
                cursor -> Map.of("tools", List.of()),
                request -> request.path("params").path("name").asText().equals("locked") ? "HTTP 401" : "HTTP 500");

        McpToolAnswer locked = client.call(endpoint(), "locked", "{}", McpToolClientProtocolTest::noCancel);
        McpToolAnswer broken = client.call(endpoint(), "broken", "{}", McpToolClientProtocolTest::noCancel);

        assertThat(locked)
                .isEqualTo(new McpToolAnswer(
                        "the call of tool 'locked' on MCP server 'scripted' failed: it refused the request as"
                                + " unauthorized (HTTP 401 or 403): check its secret header",
                        true));
        assertThat(broken.error()).isTrue();
        assertThat(broken.content()).startsWith("the call of tool 'broken' on MCP server 'scripted' failed: it ");
    }

    @Test
    void theSecretHeaderGoesWithEveryRequestAndItsValueIsNeverQuoted() throws Exception {
        server = ScriptedMcpServer.start(
                cursor -> Map.of("tools", List.of()),
                request -> "{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id")
                        + ",\"error\":{\"code\":-32000,\"message\":\"token s3cr3t-value is wrong\"}}");
        McpEndpoint withSecret = new McpEndpoint("scripted", server.url(), "X-Api-Key", Secret.of("s3cr3t-value"));

        McpToolAnswer answer = client.call(withSecret, "x", "{}", McpToolClientProtocolTest::noCancel);

        assertThat(server.headers())
                .isNotEmpty()
                .allSatisfy(headers ->
                        assertThat(new HashMap<>(headers)).containsEntry("X-api-key", List.of("s3cr3t-value")));
        assertThat(answer.content()).contains("token ****** is wrong").doesNotContain("s3cr3t-value");
    }
}
