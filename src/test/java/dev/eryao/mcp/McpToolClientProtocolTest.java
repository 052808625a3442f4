package dev.eryao.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.core.config.Secret;
import dev.eryao.support.ScriptedMcpServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The MCP client against a loopback server speaking JSON-RPC as the test scripts it: listing
 * through pages, hostile pages, garbage, a JSON-RPC error, the secret header, and the sessions the
 * client keeps between calls.
 */
class McpToolClientProtocolTest {
    private McpToolClient client = new McpToolClient(Duration.ofSeconds(10), 1_024);
    private ScriptedMcpServer server;
    private ScriptedMcpServer other;

    @AfterEach
    void close() {
        client.close();
        if (server != null) {
            server.close();
        }
        if (other != null) {
            other.close();
        }
    }

    private static final Function<String, Object> NO_TOOLS = cursor -> Map.of("tools", List.of());

    /** Answers every tools/call with the text "ok". */
    private static String ok(JsonNode request) {
        return ScriptedMcpServer.result(
                request, Map.of("content", List.of(Map.of("type", "text", "text", "ok")), "isError", false));
    }

    private McpToolAnswer callX(McpEndpoint endpoint) {
        return client.call(endpoint, "x", "{}", McpToolClientProtocolTest::noCancel);
    }

    private static long initializes(ScriptedMcpServer server) {
        return server.requests().stream().filter("initialize"::equals).count();
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

    @Test
    void aSecondCallReusesTheSessionOfTheFirst() throws Exception {
        server = ScriptedMcpServer.withSessions(0, NO_TOOLS, McpToolClientProtocolTest::ok);

        McpToolAnswer first = callX(endpoint());
        McpToolAnswer second = callX(endpoint());

        assertThat(first).isEqualTo(new McpToolAnswer("ok", false));
        assertThat(second).isEqualTo(new McpToolAnswer("ok", false));
        assertThat(server.requests())
                .containsExactly("initialize", "notifications/initialized", "tools/call", "tools/call");
        assertThat(client.idleSessions()).isEqualTo(1);
    }

    @Test
    void aServerRestartedBetweenCallsGetsTheSecondOnANewSessionAndRunsItOnce() throws Exception {
        server = ScriptedMcpServer.withSessions(0, NO_TOOLS, McpToolClientProtocolTest::ok);
        int port = server.port();
        assertThat(callX(endpoint())).isEqualTo(new McpToolAnswer("ok", false));
        server.close();
        AtomicInteger performed = new AtomicInteger();
        server = ScriptedMcpServer.withSessions(port, NO_TOOLS, request -> {
            performed.incrementAndGet();
            return ok(request);
        });

        McpToolAnswer afterRestart = callX(endpoint());

        assertThat(afterRestart).isEqualTo(new McpToolAnswer("ok", false));
        // the forgotten session is also ended (a DELETE the server refuses), without waiting for it
        assertThat(server.requests().stream().filter(request -> !request.equals("DELETE")))
                .containsExactly(
                        "tools/call (unknown session)", "initialize", "notifications/initialized", "tools/call");
        assertThat(performed).hasValue(1);
    }

    @Test
    void aSessionWhoseCallMetGarbageIsNotReusedAndTheNextCallWorks() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server = ScriptedMcpServer.start(
                NO_TOOLS, request -> calls.incrementAndGet() == 1 ? "this is not JSON {" : ok(request));

        McpToolAnswer garbage = callX(endpoint());
        McpToolAnswer next = callX(endpoint());

        assertThat(garbage.error()).isTrue();
        assertThat(next).isEqualTo(new McpToolAnswer("ok", false));
        assertThat(initializes(server)).isEqualTo(2);
    }

    @Test
    void aJsonRpcErrorLeavesTheSessionToBeReused() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server = ScriptedMcpServer.start(
                NO_TOOLS,
                request -> calls.incrementAndGet() == 1
                        ? "{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id")
                                + ",\"error\":{\"code\":-32602,\"message\":\"Unknown tool: x\"}}"
                        : ok(request));

        McpToolAnswer refused = callX(endpoint());
        McpToolAnswer next = callX(endpoint());

        assertThat(refused.error()).isTrue();
        assertThat(next).isEqualTo(new McpToolAnswer("ok", false));
        assertThat(initializes(server)).isEqualTo(1);
    }

    @Test
    void callsInFlightAtOnceEachHaveASessionAndNeitherWaitsForTheOther() throws Exception {
        CountDownLatch meeting = new CountDownLatch(2); // each call is answered once both have arrived
        server = ScriptedMcpServer.start(NO_TOOLS, request -> {
            meeting.countDown();
            try {
                return meeting.await(10, TimeUnit.SECONDS) ? ok(request) : "HTTP 500";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "HTTP 500";
            }
        });

        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        CompletableFuture<McpToolAnswer> one = CompletableFuture.supplyAsync(() -> callX(endpoint()), callers);
        CompletableFuture<McpToolAnswer> two = CompletableFuture.supplyAsync(() -> callX(endpoint()), callers);

        assertThat(one.get(30, TimeUnit.SECONDS)).isEqualTo(new McpToolAnswer("ok", false));
        assertThat(two.get(30, TimeUnit.SECONDS)).isEqualTo(new McpToolAnswer("ok", false));
        assertThat(initializes(server)).isEqualTo(2);
        assertThat(client.idleSessions()).isEqualTo(2);
        assertThat(callX(endpoint())).isEqualTo(new McpToolAnswer("ok", false));
        assertThat(initializes(server)).isEqualTo(2);
    }

    @Test
    void theKeptSessionsAreBoundedPerServerAndInServers() throws Exception {
        client.close();
        client = new McpToolClient(Duration.ofSeconds(10), 1_024, 1, 1, Duration.ofMinutes(1));
        server = ScriptedMcpServer.start(NO_TOOLS, McpToolClientProtocolTest::ok);
        other = ScriptedMcpServer.start(NO_TOOLS, McpToolClientProtocolTest::ok);
        McpEndpoint second = McpEndpoint.open("other", other.url());

        callX(endpoint());
        callX(second); // one server's sessions are kept: the first's is closed
        callX(endpoint());

        assertThat(initializes(server)).isEqualTo(2);
        assertThat(initializes(other)).isEqualTo(1);
        assertThat(client.idleSessions()).isEqualTo(1);
    }

    @Test
    void aSessionIdleLongerThanItsLifetimeIsEndedNotReused() throws Exception {
        client.close();
        client = new McpToolClient(Duration.ofSeconds(10), 1_024, 8, 8, Duration.ZERO);
        server = ScriptedMcpServer.withSessions(0, NO_TOOLS, McpToolClientProtocolTest::ok);

        callX(endpoint());
        McpToolAnswer later = callX(endpoint());

        assertThat(later).isEqualTo(new McpToolAnswer("ok", false));
        assertThat(initializes(server)).isEqualTo(2);
    }

    @Test
    void closingTheClientEndsItsIdleSessions() throws Exception {
        server = ScriptedMcpServer.withSessions(0, NO_TOOLS, McpToolClientProtocolTest::ok);
        callX(endpoint());

        client.close();

        assertThat(server.requests())
                .containsExactly("initialize", "notifications/initialized", "tools/call", "DELETE");
        assertThat(callX(endpoint()).error()).isTrue();
    }
}
