package dev.eryao.services.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.App;
import dev.eryao.core.config.McpSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.mcp.McpHttpServer;
import dev.eryao.mcp.McpToolClient;
import dev.eryao.mcp.StandInMcpServer;
import dev.eryao.provider.CancelSignal;
import dev.eryao.repositories.McpServerRepository;
import dev.eryao.services.InvalidInputException;
import dev.eryao.services.McpServerDraft;
import dev.eryao.services.McpServerService;
import dev.eryao.support.ScriptedMcpServer;
import dev.eryao.support.TestDatabase;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link McpRegisteredTools} over the real registry (the suite's database) and real MCP servers on
 * loopback: which tools a selection names, what the model is offered of them, and calls with the
 * registration's secret header.
 */
class McpRegisteredToolsTest {
    private static final String VARIABLE = "ERYAO_MCP_TOOLS_TEST_TOKEN";
    private final App app = TestDatabase.get().app();
    private final McpToolClient client = new McpToolClient(Duration.ofSeconds(10), 4_096);
    private final McpServerTools serverTools = new McpServerTools(
            client, McpSettings.defaults().withSecretValues(Map.of(VARIABLE, Secret.of("the-token-value"))));
    private final McpServerRepository repository = new McpServerRepository(app.transactions());
    private final McpServerService registry = new McpServerService(app.transactions(), repository, serverTools);
    private final McpRegisteredTools tools = new McpRegisteredTools(app.transactions(), repository, serverTools);
    private final String unique = UUID.randomUUID().toString().substring(0, 8);
    private McpHttpServer standIn;
    private ScriptedMcpServer scripted;

    @AfterEach
    void stop() {
        if (standIn != null) {
            standIn.close();
        }
        if (scripted != null) {
            scripted.close();
        }
        client.close();
    }

    private String register(String name, String url, List<String> allowed, List<String> approval, long price) {
        registry.create(new McpServerDraft(name, url, allowed, approval, price, null, null, null));
        return name;
    }

    private String demo(List<String> allowed, List<String> approval, long price) throws Exception {
        standIn = StandInMcpServer.start(0);
        return register("demo-" + unique, standIn.url(), allowed, approval, price);
    }

    @Test
    void aServersNameOffersItsAllowedToolsWithApprovalPriceAndTheServersSchemas() throws Exception {
        String demo = demo(List.of("add", "clock"), List.of("add"), 5);

        List<RegisteredTool> offered = tools.resolve(List.of(demo));

        assertThat(offered).extracting(RegisteredTool::name).containsExactly(demo + "__add", demo + "__clock");
        RegisteredTool add = offered.getFirst();
        assertThat(add.toolName()).isEqualTo("add");
        assertThat(add.requiresApproval()).isTrue();
        assertThat(add.pricePerCall()).isEqualTo(5);
        assertThat(add.description()).isEqualTo("Adds two numbers and answers their sum.");
        assertThat(add.inputSchemaJson()).contains("\"required\":[\"a\",\"b\"]");
        assertThat(offered.get(1).requiresApproval()).isFalse();
        assertThat(tools.resolve(List.of(demo + "__clock", demo)))
                .as("each tool once, in the selection's order")
                .extracting(RegisteredTool::name)
                .containsExactly(demo + "__clock", demo + "__add");
    }

    @Test
    void aToolByItsFullNameAndACallOfIt() throws Exception {
        String demo = demo(List.of("*"), List.of(), 0);

        List<RegisteredTool> offered = tools.resolve(List.of(demo + "__add"));
        ToolOutcome outcome = tools.call(offered.getFirst(), "{\"a\": 40, \"b\": 2}", new CancelSignal());

        assertThat(offered).singleElement().extracting(RegisteredTool::name).isEqualTo(demo + "__add");
        assertThat(outcome).isEqualTo(new ToolOutcome("42", false));
    }

    @Test
    void unknownDisabledAndDisallowedNamesAreRefusedNamingThem() throws Exception {
        String demo = demo(List.of("add"), List.of(), 0);
        String off = register("off-" + unique, standIn.url(), List.of("*"), List.of(), 0);
        UUID offId = repository(off);
        registry.update(offId, new McpServerDraft(null, null, null, null, null, null, null, false));

        assertRefused(List.of("nobody-" + unique), "'nobody-" + unique + "' names no enabled MCP server");
        assertRefused(List.of(off), "'" + off + "' names no enabled MCP server");
        assertRefused(
                List.of(demo + "__word_count"),
                "'" + demo + "__word_count' names no tool that MCP server '" + demo + "' lists and allows");
        assertRefused(
                List.of(demo + "__missing"),
                "'" + demo + "__missing' names no tool that MCP server '" + demo + "' lists and allows");
        assertThat(tools.resolveAvailable(List.of("nobody-" + unique, off, demo + "__word_count", demo)))
                .as("at claim time what cannot be offered is left out")
                .extracting(RegisteredTool::name)
                .containsExactly(demo + "__add");
    }

    @Test
    void aServerThatCannotBeReachedIsRefusedAtEnqueueAndLeftOutAtClaim() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String down = register("down-" + unique, "http://127.0.0.1:" + closedPort + "/mcp", List.of("*"), List.of(), 0);

        assertThatThrownBy(() -> tools.resolve(List.of(down)))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(
                                ((InvalidInputException) e).fieldErrors().get(McpRegisteredTools.FIELD))
                        .startsWith("MCP server '" + down + "' could not be listed: it cannot be reached"));
        assertThat(tools.resolveAvailable(List.of(down))).isEmpty();
    }

    @Test
    void toolsWhoseNamesAModelCannotCallAreLeftOut() throws Exception {
        scripted = ScriptedMcpServer.start(
                cursor -> Map.of(
                        "tools",
                        List.of(
                                ScriptedMcpServer.tool("ok"),
                                ScriptedMcpServer.tool("has.dot"),
                                ScriptedMcpServer.tool("x".repeat(60)))),
                request -> "");
        String server = register("names-" + unique, scripted.url(), List.of("*"), List.of(), 0);

        assertThat(tools.resolve(List.of(server)))
                .extracting(RegisteredTool::name)
                .containsExactly(server + "__ok");
    }

    @Test
    void theListingIsReusedUntilTheRegistrationChanges() throws Exception {
        scripted = ScriptedMcpServer.start(
                cursor -> Map.of("tools", List.of(ScriptedMcpServer.tool("a"), ScriptedMcpServer.tool("b"))),
                request -> "");
        String server = register("cached-" + unique, scripted.url(), List.of("a"), List.of(), 0);

        tools.resolve(List.of(server));
        int afterFirst = scripted.headers().size();
        tools.resolve(List.of(server));
        int afterSecond = scripted.headers().size();
        registry.update(
                repository(server), new McpServerDraft(null, null, List.of("a", "b"), null, null, null, null, null));
        List<RegisteredTool> afterChange = tools.resolve(List.of(server));

        assertThat(afterFirst).isPositive();
        assertThat(afterSecond).as("listed from the cache").isEqualTo(afterFirst);
        assertThat(scripted.headers().size()).as("listed again").isGreaterThan(afterSecond);
        assertThat(afterChange).extracting(RegisteredTool::toolName).containsExactly("a", "b");
    }

    @Test
    void aCallSendsTheSecretHeaderWithItsVariablesValueAndAnUnsetVariableIsAnErrorOutcome() throws Exception {
        scripted = ScriptedMcpServer.start(
                cursor -> Map.of("tools", List.of(ScriptedMcpServer.tool("echo"))),
                request -> ScriptedMcpServer.result(
                        request, Map.of("content", List.of(Map.of("type", "text", "text", "echoed")))));
        String server = "secret-" + unique;
        registry.create(
                new McpServerDraft(server, scripted.url(), List.of("*"), List.of(), 0L, "X-Api-Key", VARIABLE, null));
        String unset = "unset-" + unique;
        registry.create(new McpServerDraft(
                unset, scripted.url(), List.of("*"), List.of(), 0L, "X-Api-Key", "ERYAO_MCP_NEVER_SET", null));

        RegisteredTool echo = tools.resolve(List.of(server)).getFirst();
        ToolOutcome outcome = tools.call(echo, "{}", new CancelSignal());
        RegisteredTool unsetEcho = new RegisteredTool(unset + "__echo", "", "{}", false, 0, repository(unset), "echo");
        ToolOutcome refused = tools.call(unsetEcho, "{}", new CancelSignal());

        assertThat(outcome).isEqualTo(new ToolOutcome("echoed", false));
        assertThat(scripted.headers())
                .isNotEmpty()
                .allSatisfy(headers ->
                        assertThat(new HashMap<>(headers)).containsEntry("X-api-key", List.of("the-token-value")));
        assertThat(refused)
                .isEqualTo(ToolOutcome.error("the call of tool 'echo' on MCP server '" + unset + "' failed: its secret"
                        + " header's variable ERYAO_MCP_NEVER_SET is not set in this process's environment"));
        assertThatThrownBy(() -> tools.resolve(List.of(unset)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("ERYAO_MCP_NEVER_SET is not set");
    }

    @Test
    void aToolWhoseServerWasDeletedOrNoLongerAllowsItIsAnErrorOutcomeAndNoCall() throws Exception {
        String demo = demo(List.of("*"), List.of(), 0);
        RegisteredTool add = tools.resolve(List.of(demo + "__add")).getFirst();
        UUID id = repository(demo);

        registry.update(id, new McpServerDraft(null, null, List.of("clock"), null, null, null, null, null));
        ToolOutcome disallowed = tools.call(add, "{\"a\": 1, \"b\": 1}", new CancelSignal());
        registry.delete(id);
        ToolOutcome deleted = tools.call(add, "{\"a\": 1, \"b\": 1}", new CancelSignal());

        assertThat(disallowed.error()).isTrue();
        assertThat(disallowed.content()).contains("no longer allows it");
        assertThat(deleted.error()).isTrue();
        assertThat(deleted.content()).contains("no longer registered");
    }

    private UUID repository(String name) {
        return app.transactions()
                .read(() -> repository.byName(name).orElseThrow().getId());
    }

    private void assertRefused(List<String> selection, String problem) {
        assertThatThrownBy(() -> tools.resolve(selection))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).fieldErrors())
                        .containsEntry(McpRegisteredTools.FIELD, problem));
    }
}
