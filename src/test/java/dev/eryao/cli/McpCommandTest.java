package dev.eryao.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.support.ScratchDatabase;
import dev.eryao.tools.McpLineGuard;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/eryao mcp} as an agent meets it: a real child process spoken to over its stdin and
 * stdout, by the MCP SDK's own client, and once byte by byte to prove stdout carries nothing else.
 */
class McpCommandTest {
    private static final ScratchDatabase scratch = ScratchDatabase.get();
    private static final Pattern WRAPPED = Pattern.compile(
            "(?s)Below is .*untrusted user data.*\n<(untrusted-data-[0-9a-f-]{36})>\n(.*)\n</\\1>\n\nUse this data.*");
    private static final List<String> stderr = new ArrayList<>();
    private static McpSyncClient client;

    private static List<String> command() {
        return List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "mcp",
                "--max-rows",
                "50");
    }

    @BeforeAll
    static void startServer() {
        List<String> command = command();
        StdioClientTransport transport = new StdioClientTransport(
                ServerParameters.builder(command.get(0))
                        .args(command.subList(1, command.size()))
                        .env(scratch.variables())
                        .build(),
                McpJsonDefaults.getMapper());
        transport.setStdErrorHandler(line -> {
            synchronized (stderr) {
                stderr.add(line);
            }
        });
        client = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(30))
                .initializationTimeout(Duration.ofSeconds(60))
                .build();
        client.initialize();
    }

    @AfterAll
    static void stopServer() {
        client.closeGracefully();
    }

    private static String unwrapped(CallToolResult result) {
        String text = ((TextContent) result.content().get(0)).text();
        Matcher matcher = WRAPPED.matcher(text);
        assertThat(matcher.matches()).as("wrapped as untrusted data: " + text).isTrue();
        return matcher.group(2);
    }

    private static CallToolResult call(String tool, Map<String, Object> arguments) {
        return client.callTool(new CallToolRequest(tool, arguments));
    }

    @Test
    void initializeNamesTheServerAndTellsTheAgentSchemaChangesAreMigrations() {
        assertThat(client.getServerInfo().name()).isEqualTo("eryao");
        assertThat(client.getServerCapabilities().tools()).isNotNull();
        assertThat(client.getServerInstructions()).contains("Read-only").contains("migration");
    }

    @Test
    void toolsListOffersListTablesAndExecuteSqlMarkedReadOnly() {
        List<Tool> tools = client.listTools().tools();

        assertThat(tools).extracting(Tool::name).containsExactlyInAnyOrder("list_tables", "execute_sql");
        for (Tool tool : tools) {
            assertThat(tool.annotations().readOnlyHint()).isTrue();
            assertThat(tool.annotations().destructiveHint()).isFalse();
        }
        Tool executeSql = tools.stream()
                .filter(t -> t.name().equals("execute_sql"))
                .findFirst()
                .orElseThrow();
        assertThat(executeSql.inputSchema().get("required")).isEqualTo(List.of("query"));
    }

    @Test
    void listTablesAnswersWhatTheCliPrintsWrappedAsUntrustedData() throws Exception {
        CallToolResult result = call("list_tables", Map.of("schemas", List.of("public"), "verbose", true));
        String cli = dev.eryao.support.Cli.eryao(scratch.variables(), "tables", "--json", "--verbose")
                .out()
                .strip();

        assertThat(result.isError()).isFalse();
        assertThat(new ObjectMapper().readTree(unwrapped(result))).isEqualTo(new ObjectMapper().readTree(cli));
        assertThat(unwrapped(result)).contains("\"name\":\"probe\"").contains("\"rls_enabled\":false");
    }

    @Test
    void executeSqlReturnsTheRowsWrappedAsUntrustedData() throws Exception {
        CallToolResult result = call("execute_sql", Map.of("query", "SELECT note FROM probe ORDER BY note"));

        assertThat(result.isError()).isFalse();
        JsonNode json = new ObjectMapper().readTree(unwrapped(result));
        assertThat(json.get("rows").toString()).isEqualTo("[{\"note\":\"first\"},{\"note\":\"second\"}]");
        assertThat(json.get("max_rows").asInt())
                .as("--max-rows reached the server")
                .isEqualTo(50);
    }

    @Test
    void aWriteIsAToolErrorCarryingTheDatabasesRefusalAndChangesNothing() {
        String before = scratch.fingerprint();

        CallToolResult result = call("execute_sql", Map.of("query", "DROP TABLE probe"));

        assertThat(result.isError()).isTrue();
        assertThat(unwrapped(result))
                .isEqualTo("ERROR: cannot execute DROP TABLE in a read-only transaction (SQLSTATE 25006)");
        assertThat(scratch.fingerprint()).isEqualTo(before);
    }

    @Test
    void badArgumentsAreToolErrorsNotCrashes() {
        assertThat(call("execute_sql", Map.of()).isError()).isTrue();
        assertThat(call("execute_sql", Map.of("query", 42)).isError()).isTrue();
        assertThat(call("list_tables", Map.of("schemas", List.of("nope"))).isError())
                .isTrue();
        assertThat(unwrapped(call("list_tables", Map.of("schemas", List.of("nope")))))
                .isEqualTo("no schema named nope");
        assertThat(call("execute_sql", Map.of("query", "SELECT 1")).isError())
                .as("still serving")
                .isFalse();
    }

    @Test
    void stdoutCarriesOnlyProtocolMessagesLogsGoToStderrAndTheServerStopsWhenItsInputEnds() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command());
        builder.environment().putAll(scratch.variables());
        Process server = builder.start();
        List<String> out = new ArrayList<>();
        try (OutputStream in = server.getOutputStream();
                BufferedReader reader =
                        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            send(
                    in,
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}");
            out.add(reader.readLine());
            send(in, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            send(
                    in,
                    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"execute_sql\","
                            + "\"arguments\":{\"query\":\"SELECT count(*) AS n FROM probe\"}}}");
            out.add(reader.readLine());
            in.close();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                out.add(line);
            }
        }
        assertThat(server.waitFor(30, TimeUnit.SECONDS))
                .as("stopped when its input ended")
                .isTrue();
        String errors = new String(server.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(server.exitValue()).as(errors).isZero();
        assertThat(out).hasSize(2);
        for (String line : out) {
            assertThat(new ObjectMapper().readTree(line).get("jsonrpc").asText())
                    .isEqualTo("2.0");
        }
        assertThat(out.get(1)).contains("\\\"n\\\":2");
        assertThat(errors).contains("eryao mcp: serving list_tables and execute_sql (read-only, as eryao_reader)");
    }

    @Test
    void aLineThatIsNotJsonOrTooLongIsAnsweredWithAJsonRpcErrorAndTheNextLineIsServed() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command());
        builder.environment().putAll(scratch.variables());
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process server = builder.start();
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> answers = new ArrayList<>();
        try (OutputStream in = server.getOutputStream();
                BufferedReader reader =
                        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            // A bound on the whole exchange, so a server that stopped answering fails the test instead of hanging it.
            assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
                send(
                        in,
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}");
                reader.readLine();
                send(in, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

                send(in, "this is not JSON {");
                answers.add(mapper.readTree(reader.readLine()));
                send(in, "{\"jsonrpc\":\"2.0\",\"id\":7}");
                answers.add(mapper.readTree(reader.readLine()));
                send(in, "[{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/list\"}]");
                answers.add(mapper.readTree(reader.readLine()));
                byte[] huge = new byte[McpLineGuard.MAX_LINE_BYTES + 1024];
                java.util.Arrays.fill(huge, (byte) 'a');
                in.write(huge);
                send(in, "");
                answers.add(mapper.readTree(reader.readLine()));
                send(
                        in,
                        "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"execute_sql\","
                                + "\"arguments\":{\"query\":\"SELECT count(*) AS n FROM probe\"}}}");
                answers.add(mapper.readTree(reader.readLine()));
            });
        }
        assertThat(server.waitFor(30, TimeUnit.SECONDS))
                .as("stopped when its input ended")
                .isTrue();

        assertThat(answers.get(0).get("error").get("code").asInt()).isEqualTo(-32700);
        assertThat(answers.get(0).get("id").isNull()).isTrue();
        assertThat(answers.get(1).get("error").get("code").asInt()).isEqualTo(-32600);
        assertThat(answers.get(1).get("id").asInt()).isEqualTo(7);
        assertThat(answers.get(2).get("error").get("code").asInt()).isEqualTo(-32600);
        assertThat(answers.get(3).get("error").get("code").asInt()).isEqualTo(-32600);
        assertThat(answers.get(3).get("error").get("message").asText())
                .contains("longer than " + McpLineGuard.MAX_LINE_BYTES);
        assertThat(answers.get(4).get("id").asInt()).isEqualTo(9);
        assertThat(answers.get(4).get("result").toString()).contains("\\\"n\\\":2");
        assertThat(server.exitValue()).isZero();
    }

    @Test
    void executeSqlSaysWhenTheResultWasTruncatedAtTheByteCap() throws Exception {
        CallToolResult result = call("execute_sql", Map.of("query", "SELECT repeat('x', 2 * 1048576) AS big"));

        assertThat(result.isError()).isFalse();
        JsonNode json = new ObjectMapper().readTree(unwrapped(result));
        assertThat(json.get("truncated_by").asText()).isEqualTo("bytes");
        assertThat(json.get("note").asText()).startsWith("result truncated at 1048576 bytes");
        assertThat(unwrapped(result).length()).isLessThan(4096);
    }

    private static void send(OutputStream in, String message) throws Exception {
        in.write((message + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }
}
