package dev.eryao.mcp;

import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.modelcontextprotocol.spec.McpSchema.ToolAnnotations;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The stand-in's MCP server ({@code eryao stand-in}, at {@code http://127.0.0.1:11435/mcp}): three
 * harmless tools, so a run can call a tool on a fresh machine — {@code add} two numbers,
 * {@code word_count} of a text, {@code clock} (the current UTC time). No file, no network, no
 * state: the same arguments give the same answer (the clock's aside). {@code bin/eryao init-data}
 * registers it as {@code demo}, with {@code add} needing the owner's approval.
 */
public final class StandInMcpServer {
    public static final int DEFAULT_PORT = 11435;
    public static final String NAME = "eryao-stand-in";
    /** The longest text word_count reads: it is a demonstration, not a service. */
    static final int MAX_TEXT_CHARS = 100_000;

    private StandInMcpServer() {}

    /** Listens on {@code 127.0.0.1:port} (0: any free port). */
    public static McpHttpServer start(int port) throws IOException {
        return McpHttpServer.start(port, NAME, tools(Clock.systemUTC()));
    }

    static List<SyncToolSpecification> tools(Clock clock) {
        ToolAnnotations harmless = new ToolAnnotations(null, true, false, true, false, null);
        return List.of(
                tool(
                        Tool.builder()
                                .name("add")
                                .title("Add two numbers")
                                .description("Adds two numbers and answers their sum.")
                                .inputSchema(Map.of(
                                        "type",
                                        "object",
                                        "properties",
                                        Map.of(
                                                "a", Map.of("type", "number", "description", "a number"),
                                                "b", Map.of("type", "number", "description", "another")),
                                        "required",
                                        List.of("a", "b"),
                                        "additionalProperties",
                                        false))
                                .annotations(harmless)
                                .build(),
                        StandInMcpServer::add),
                tool(
                        Tool.builder()
                                .name("word_count")
                                .title("Count words")
                                .description("Counts the words of a text (runs of characters between spaces).")
                                .inputSchema(Map.of(
                                        "type",
                                        "object",
                                        "properties",
                                        Map.of("text", Map.of("type", "string", "description", "the text")),
                                        "required",
                                        List.of("text"),
                                        "additionalProperties",
                                        false))
                                .annotations(harmless)
                                .build(),
                        StandInMcpServer::wordCount),
                tool(
                        Tool.builder()
                                .name("clock")
                                .title("Current time")
                                .description("The current date and time in UTC (ISO 8601).")
                                .inputSchema(
                                        Map.of("type", "object", "properties", Map.of(), "additionalProperties", false))
                                .annotations(new ToolAnnotations(null, true, false, false, false, null))
                                .build(),
                        request -> text(Instant.now(clock)
                                .truncatedTo(ChronoUnit.SECONDS)
                                .toString())));
    }

    private static SyncToolSpecification tool(
            Tool tool, java.util.function.Function<CallToolRequest, CallToolResult> work) {
        return SyncToolSpecification.builder()
                .tool(tool)
                .callHandler((exchange, request) -> work.apply(request))
                .build();
    }

    static CallToolResult add(CallToolRequest request) {
        Object a = arguments(request).get("a");
        Object b = arguments(request).get("b");
        if (!(a instanceof Number x) || !(b instanceof Number y)) {
            return failure("add needs two numbers, a and b");
        }
        BigDecimal sum = new BigDecimal(x.toString()).add(new BigDecimal(y.toString()));
        return text(sum.stripTrailingZeros().toPlainString());
    }

    static CallToolResult wordCount(CallToolRequest request) {
        if (!(arguments(request).get("text") instanceof String text)) {
            return failure("word_count needs a text");
        }
        if (text.length() > MAX_TEXT_CHARS) {
            return failure("word_count reads at most " + MAX_TEXT_CHARS + " characters");
        }
        String stripped = text.strip();
        return text(String.valueOf(stripped.isEmpty() ? 0 : stripped.split("\\s+").length));
    }

    private static Map<String, Object> arguments(CallToolRequest request) {
        return request.arguments() == null ? Map.of() : request.arguments();
    }

    private static CallToolResult text(String value) {
        return CallToolResult.builder().addTextContent(value).isError(false).build();
    }

    private static CallToolResult failure(String message) {
        return CallToolResult.builder().addTextContent(message).isError(true).build();
    }
}
