package dev.eryao.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.provider.CancelSignal;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The MCP client against real MCP servers on loopback over streamable HTTP: the SDK's own server
 * side ({@link McpHttpServer}), and, for what that server will not do (pages, garbage, JSON-RPC
 * errors, endless cursors), a small JSON-RPC server ({@link ScriptedMcpServer}).
 */
class McpToolClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final McpToolClient client = remember(new McpToolClient(TIMEOUT, 1_024));

    private <T extends AutoCloseable> T remember(T part) {
        opened.add(part);
        return part;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable part : opened.reversed()) {
            part.close();
        }
    }

    private static Runnable noCancel(Runnable ignored) {
        return () -> {};
    }

    private McpEndpoint standIn() throws Exception {
        McpHttpServer server = remember(StandInMcpServer.start(0));
        return McpEndpoint.open("demo", server.url());
    }

    @Test
    void listsTheSdkServersToolsWithTheirSchemasAndCallsOne() throws Exception {
        McpEndpoint demo = standIn();

        List<ListedTool> tools = client.list(demo);
        McpToolAnswer sum = client.call(demo, "add", "{\"a\": 2, \"b\": 3.5}", McpToolClientTest::noCancel);
        McpToolAnswer words =
                client.call(demo, "word_count", "{\"text\": \"one two  three\"}", McpToolClientTest::noCancel);

        assertThat(tools).extracting(ListedTool::name).containsExactly("add", "word_count", "clock");
        assertThat(tools.getFirst().inputSchemaJson()).contains("\"required\":[\"a\",\"b\"]");
        assertThat(tools.getFirst().description()).isEqualTo("Adds two numbers and answers their sum.");
        assertThat(sum).isEqualTo(new McpToolAnswer("5.5", false));
        assertThat(words).isEqualTo(new McpToolAnswer("3", false));
    }

    @Test
    void aSecondCallReusesTheSessionOfTheFirst() throws Exception {
        List<String> sessionIds = new CopyOnWriteArrayList<>();
        McpHttpServer server =
                remember(McpHttpServer.start(0, "demo", StandInMcpServer.tools(Clock.systemUTC()), request -> {
                    sessionIds.add(String.valueOf(request.getHeader("Mcp-Session-Id")));
                    return McpTransportContext.EMPTY;
                }));
        McpEndpoint demo = McpEndpoint.open("demo", server.url());

        McpToolAnswer first = client.call(demo, "word_count", "{\"text\": \"a b\"}", McpToolClientTest::noCancel);
        McpToolAnswer second = client.call(demo, "add", "{\"a\": 1, \"b\": 2}", McpToolClientTest::noCancel);

        assertThat(first).isEqualTo(new McpToolAnswer("2", false));
        assertThat(second).isEqualTo(new McpToolAnswer("3", false));
        // initialize alone comes without a session id; the notification and both calls carry its one
        assertThat(sessionIds).hasSize(4);
        assertThat(sessionIds.getFirst()).isEqualTo("null");
        assertThat(sessionIds.subList(1, 4)).doesNotContain("null").containsOnly(sessionIds.get(1));
    }

    @Test
    void aServerRestartedBetweenCallsIsCalledOnANewSession() throws Exception {
        McpHttpServer first = StandInMcpServer.start(0);
        int port = first.port();
        McpEndpoint demo = McpEndpoint.open("demo", first.url());
        assertThat(client.call(demo, "word_count", "{\"text\": \"a b c\"}", McpToolClientTest::noCancel))
                .isEqualTo(new McpToolAnswer("3", false));
        first.close();
        remember(StandInMcpServer.start(port));

        McpToolAnswer afterRestart =
                client.call(demo, "word_count", "{\"text\": \"a b c d\"}", McpToolClientTest::noCancel);

        assertThat(afterRestart).isEqualTo(new McpToolAnswer("4", false));
    }

    @Test
    void aResultMarkedIsErrorIsAnErrorAnswerWithTheToolsWords() throws Exception {
        McpHttpServer server = remember(McpHttpServer.start(
                0,
                "picky",
                List.of(tool(
                        "refuse",
                        request -> CallToolResult.builder()
                                .addTextContent("no, not today")
                                .isError(true)
                                .build()))));

        McpToolAnswer answer =
                client.call(McpEndpoint.open("picky", server.url()), "refuse", "{}", McpToolClientTest::noCancel);

        assertThat(answer)
                .isEqualTo(new McpToolAnswer(
                        "tool 'refuse' of MCP server 'picky' reported an error: no, not today", true));
    }

    @Test
    void aServerThatIsDownIsAnErrorAnswerNamingTheServer() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        McpEndpoint down = McpEndpoint.open("gone", "http://127.0.0.1:" + closedPort + "/mcp");

        McpToolAnswer answer = client.call(down, "add", "{}", McpToolClientTest::noCancel);

        assertThat(answer.error()).isTrue();
        assertThat(answer.content())
                .startsWith("the call of tool 'add' on MCP server 'gone' failed: it cannot be reached");
        assertThatThrownBy(() -> client.list(down))
                .isInstanceOf(McpUnavailableException.class)
                .hasMessageStartingWith("MCP server 'gone' could not be listed: it cannot be reached");
    }

    @Test
    void aResultLongerThanTheBoundIsCutOnACharacterAndMarked() throws Exception {
        String long_ = "é".repeat(1_000); // 2,000 bytes of UTF-8
        McpHttpServer server = remember(McpHttpServer.start(0, "big", List.of(tool("big", (request) -> text(long_)))));

        McpToolAnswer answer =
                client.call(McpEndpoint.open("big", server.url()), "big", "{}", McpToolClientTest::noCancel);

        assertThat(answer.error()).isFalse();
        assertThat(answer.content())
                .isEqualTo("é".repeat(512) + "\n[cut: the result was 2000 bytes; only its first 1024 are kept]");
    }

    @Test
    void aServerKilledMidCallIsAnErrorAnswer() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        McpHttpServer server = McpHttpServer.start(0, "dies", List.of(tool("hang", request -> {
            entered.countDown();
            await(never);
            return text("too late");
        })));
        CompletableFuture<McpToolAnswer> call = CompletableFuture.supplyAsync(
                () -> client.call(McpEndpoint.open("dies", server.url()), "hang", "{}", McpToolClientTest::noCancel));
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

        server.close();
        McpToolAnswer answer = call.get(30, TimeUnit.SECONDS);

        never.countDown();
        assertThat(answer.error()).isTrue();
        assertThat(answer.content()).startsWith("the call of tool 'hang' on MCP server 'dies' failed: ");
    }

    @Test
    void cancellingCutsACallInFlightShort() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        McpHttpServer server = remember(McpHttpServer.start(0, "slow", List.of(tool("hang", request -> {
            entered.countDown();
            await(release);
            return text("too late");
        }))));
        CancelSignal cancel = new CancelSignal();
        CompletableFuture<McpToolAnswer> call = CompletableFuture.supplyAsync(
                () -> client.call(McpEndpoint.open("slow", server.url()), "hang", "{}", cancel::onCancel));
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

        cancel.cancel();
        McpToolAnswer answer = call.get(30, TimeUnit.SECONDS);

        release.countDown();
        assertThat(answer)
                .isEqualTo(new McpToolAnswer(
                        "the call of tool 'hang' on MCP server 'slow' failed: the call was cancelled", true));
    }

    @Test
    void aSlowServerIsAnErrorAnswerOnceTheCallTimeoutPasses() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        McpHttpServer server = remember(McpHttpServer.start(0, "slow", List.of(tool("hang", request -> {
            await(release);
            return text("too late");
        }))));
        McpToolClient impatient = remember(new McpToolClient(Duration.ofSeconds(1), 1_024));

        McpToolAnswer answer =
                impatient.call(McpEndpoint.open("slow", server.url()), "hang", "{}", McpToolClientTest::noCancel);

        release.countDown();
        assertThat(answer)
                .isEqualTo(new McpToolAnswer(
                        "the call of tool 'hang' on MCP server 'slow' failed: it did not answer within 1 s", true));
    }

    @Test
    void argumentsThatAreNotAJsonObjectAreAnErrorAnswerAndNoCall() throws Exception {
        McpEndpoint demo = standIn();

        McpToolAnswer answer = client.call(demo, "add", "[1, 2]", McpToolClientTest::noCancel);

        assertThat(answer)
                .isEqualTo(new McpToolAnswer(
                        "the call of tool 'add' on MCP server 'demo' failed: its arguments are not a JSON object",
                        true));
    }

    static SyncToolSpecification tool(String name, java.util.function.Function<Object, CallToolResult> work) {
        return SyncToolSpecification.builder()
                .tool(Tool.builder()
                        .name(name)
                        .description("a test tool")
                        .inputSchema(Map.of("type", "object"))
                        .build())
                .callHandler((exchange, request) -> work.apply(request))
                .build();
    }

    static CallToolResult text(String value) {
        return CallToolResult.builder().addTextContent(value).isError(false).build();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
