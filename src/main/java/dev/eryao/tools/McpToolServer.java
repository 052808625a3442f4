package dev.eryao.tools;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ServerCapabilities;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.modelcontextprotocol.spec.McpSchema.ToolAnnotations;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The MCP server of {@code bin/eryao mcp}: Supabase's {@code list_tables} and {@code execute_sql}
 * over stdio, answering exactly what {@code bin/eryao tables --json} and {@code sql --json} print.
 * Results (and the database's refusals, which can quote data) are wrapped by {@link UntrustedData}.
 * Bad input and refusals are tool results with {@code isError}, never protocol errors, so the agent
 * sees the database's reason.
 */
public final class McpToolServer {
    static final String INSTRUCTIONS = "Read-only access to the ERYAO database: view data with execute_sql"
            + " and list_tables. Nothing can be written through these tools; change the schema only with a"
            + " migration (src/main/resources/db/migration, and its downgrade in db/downgrade).";

    private static final String EXECUTE_SQL_SCHEMA = """
            {"type": "object",
             "properties": {"query": {"type": "string", "description": "One SQL statement, run read-only"}},
             "required": ["query"], "additionalProperties": false}""";

    private static final String LIST_TABLES_SCHEMA = """
            {"type": "object",
             "properties": {
               "schemas": {"type": "array", "items": {"type": "string"},
                           "description": "Schemas to list; default [\\"public\\"]"},
               "verbose": {"type": "boolean", "description": "Also columns, primary key and foreign keys"}},
             "additionalProperties": false}""";

    private final SqlExecutor sql;
    private final TableCatalog catalog;

    public McpToolServer(SqlExecutor sql, TableCatalog catalog) {
        this.sql = sql;
        this.catalog = catalog;
    }

    /**
     * Starts serving on the given streams (the process's stdin and stdout); returns at once. Lines
     * pass through {@link McpLineGuard} first, so a bad one is answered with an error and the
     * session goes on.
     *
     * @param inputEnded run when the agent has closed our input and its last line has been read
     */
    public McpSyncServer start(InputStream in, OutputStream out, String version, Runnable inputEnded) {
        McpJsonMapper json = McpJsonDefaults.getMapper();
        McpLineGuard lines = new McpLineGuard(in, out, json, inputEnded);
        McpSyncServer server = McpServer.sync(new StdioServerTransportProvider(
                        json, lines.forwarded(), lines.output(), McpLineGuard.MAX_LINE_BYTES + 2))
                .serverInfo("eryao", version)
                .instructions(INSTRUCTIONS)
                .capabilities(ServerCapabilities.builder().tools(false).build())
                .tools(
                        tool(
                                json,
                                "execute_sql",
                                "Runs one SQL statement in a read-only transaction as a role"
                                        + " that can only read, and returns its rows as JSON (capped in rows and bytes; see"
                                        + " max_rows, max_bytes and truncated_by).",
                                EXECUTE_SQL_SCHEMA,
                                this::executeSql),
                        tool(
                                json,
                                "list_tables",
                                "Lists the tables of some schemas with estimated rows and"
                                        + " whether row level security is on; verbose adds columns and keys.",
                                LIST_TABLES_SCHEMA,
                                this::listTables))
                .build();
        lines.start();
        return server;
    }

    CallToolResult executeSql(Map<String, Object> arguments) {
        Object query = arguments.get("query");
        if (!(query instanceof String text)) {
            return failure("query must be a string holding one SQL statement");
        }
        return answer("the result of the SQL query", () -> ToolsJson.queryResult(sql.execute(text)));
    }

    CallToolResult listTables(Map<String, Object> arguments) {
        Object schemas = arguments.getOrDefault("schemas", List.of());
        Object verbose = arguments.getOrDefault("verbose", false);
        if (!(schemas instanceof List<?> names)
                || !names.stream().allMatch(String.class::isInstance)
                || !(verbose instanceof Boolean detailed)) {
            return failure("schemas must be a list of schema names and verbose true or false");
        }
        List<String> schemaNames = names.stream().map(String.class::cast).toList();
        return answer("the list of tables", () -> ToolsJson.tables(catalog.list(schemaNames, detailed)));
    }

    private static CallToolResult answer(String what, Supplier<String> work) {
        try {
            return CallToolResult.builder()
                    .addTextContent(UntrustedData.wrap(what, work.get()))
                    .isError(false)
                    .build();
        } catch (ToolException e) {
            return CallToolResult.builder()
                    .addTextContent(UntrustedData.wrap("the database's refusal or the input's problem", e.getMessage()))
                    .isError(true)
                    .build();
        }
    }

    private static CallToolResult failure(String message) {
        return CallToolResult.builder().addTextContent(message).isError(true).build();
    }

    private static SyncToolSpecification tool(
            McpJsonMapper json,
            String name,
            String description,
            String schema,
            java.util.function.Function<Map<String, Object>, CallToolResult> handler) {
        ToolAnnotations readOnly = new ToolAnnotations(name, true, false, true, false, null);
        return SyncToolSpecification.builder()
                .tool(Tool.builder(name, json, schema)
                        .description(description)
                        .annotations(readOnly)
                        .build())
                .callHandler((exchange, request) -> handler.apply(arguments(request)))
                .build();
    }

    private static Map<String, Object> arguments(CallToolRequest request) {
        return request.arguments() == null ? Map.of() : request.arguments();
    }
}
