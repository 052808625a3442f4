package dev.eryao.services.tools;

import dev.eryao.core.db.Transactions;
import dev.eryao.mcp.ListedTool;
import dev.eryao.mcp.McpToolAnswer;
import dev.eryao.mcp.McpUnavailableException;
import dev.eryao.models.McpServerRegistration;
import dev.eryao.provider.CancelSignal;
import dev.eryao.repositories.McpServerRepository;
import dev.eryao.services.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@link RegisteredTools} over the registry of MCP servers ({@code mcp_server}) and the MCP client.
 * A tool is offered to the model as {@code <server>__<tool>}: only a tool its server lists, its
 * registration allows, and whose whole name fits what OpenAI accepts as a tool name
 * ({@code ^[a-zA-Z0-9_-]{1,64}$}); a tool whose name does not fit is left out. A server's name
 * never holds {@code __}, so the first {@code __} of a tool's name ends its server's.
 */
public final class McpRegisteredTools implements RegisteredTools {
    /** The field an enqueue's refusal names. */
    public static final String FIELD = "tools";
    /** OpenAI's rule for a function's name. */
    public static final Pattern TOOL_NAME = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");

    public static final String SEPARATOR = "__";
    /** More than any run offers a model. */
    private static final int MAX_SELECTED_SERVERS = 100;

    private final Transactions transactions;
    private final McpServerRepository servers;
    private final McpServerTools tools;

    public McpRegisteredTools(Transactions transactions, McpServerRepository servers, McpServerTools tools) {
        this.transactions = transactions;
        this.servers = servers;
        this.tools = tools;
    }

    @Override
    public List<RegisteredTool> resolve(List<String> selection) {
        return resolve(selection, true);
    }

    @Override
    public List<RegisteredTool> resolveAvailable(List<String> selection) {
        return resolve(selection, false);
    }

    @Override
    public ToolOutcome call(RegisteredTool tool, String argumentsJson, CancelSignal cancel) {
        if (cancel.isCancelled()) {
            return ToolOutcome.error("the call of tool '" + tool.name() + "' was cancelled before it was made");
        }
        Optional<McpServerRegistration> server;
        try {
            server = transactions.read(() -> servers.getById(tool.serverId()));
        } catch (RuntimeException e) {
            // the database is down: the model sees an error result, the worker's own reads will tell
            return ToolOutcome.error(
                    "the call of tool '" + tool.name() + "' failed: its registration could not be read");
        }
        if (server.isEmpty() || !server.get().isEnabled()) {
            return ToolOutcome.error("the call of tool '" + tool.name()
                    + "' failed: its MCP server is no longer registered or is disabled");
        }
        if (!server.get().allows(tool.toolName())) {
            return ToolOutcome.error(
                    "the call of tool '" + tool.name() + "' failed: its MCP server's registration no longer allows it");
        }
        McpToolAnswer answer = tools.call(server.get(), tool.toolName(), argumentsJson, cancel);
        return new ToolOutcome(answer.content(), answer.error());
    }

    /** The name the model sees for {@code tool} of {@code server}. */
    public static String exposedName(String server, String tool) {
        return server + SEPARATOR + tool;
    }

    private List<RegisteredTool> resolve(List<String> selection, boolean strict) {
        if (selection == null || selection.isEmpty()) {
            return List.of();
        }
        // server name -> the tools named of it (empty: all its allowed tools)
        Map<String, Set<String>> wanted = new LinkedHashMap<>();
        for (String entry : selection) {
            if (entry == null || entry.isBlank()) {
                throw InvalidInputException.field(FIELD, "holds an empty name");
            }
            int separator = entry.indexOf(SEPARATOR);
            String server = separator < 0 ? entry : entry.substring(0, separator);
            Set<String> named = wanted.computeIfAbsent(server, key -> new LinkedHashSet<>());
            if (separator >= 0) {
                named.add(entry.substring(separator + SEPARATOR.length()));
            } else {
                named.add(ALL);
            }
        }
        if (wanted.size() > MAX_SELECTED_SERVERS) {
            throw InvalidInputException.field(FIELD, "names more than " + MAX_SELECTED_SERVERS + " MCP servers");
        }
        Map<String, McpServerRegistration> found = new LinkedHashMap<>();
        transactions
                .read(() -> servers.byNames(wanted.keySet(), MAX_SELECTED_SERVERS))
                .forEach(server -> found.put(server.getName(), server));
        List<RegisteredTool> resolved = new ArrayList<>();
        Set<String> exposed = new LinkedHashSet<>();
        for (Map.Entry<String, Set<String>> entry : wanted.entrySet()) {
            McpServerRegistration server = found.get(entry.getKey());
            if (server == null || !server.isEnabled()) {
                if (strict) {
                    throw InvalidInputException.field(FIELD, "'" + entry.getKey() + "' names no enabled MCP server");
                }
                continue;
            }
            List<ListedTool> listed;
            try {
                listed = tools.listed(server, false);
            } catch (McpUnavailableException e) {
                if (strict) {
                    throw InvalidInputException.field(FIELD, e.getMessage());
                }
                continue;
            }
            for (String name : entry.getValue()) {
                List<ListedTool> chosen = name.equals(ALL)
                        ? listed.stream()
                                .filter(tool -> offerable(server, tool))
                                .toList()
                        : listed.stream()
                                .filter(tool -> tool.name().equals(name) && offerable(server, tool))
                                .toList();
                if (chosen.isEmpty() && !name.equals(ALL) && strict) {
                    throw InvalidInputException.field(
                            FIELD,
                            "'" + exposedName(server.getName(), name) + "' names no tool that MCP server '"
                                    + server.getName() + "' lists and allows");
                }
                for (ListedTool tool : chosen) {
                    if (exposed.add(exposedName(server.getName(), tool.name()))) {
                        resolved.add(registered(server, tool));
                    }
                }
            }
        }
        return List.copyOf(resolved);
    }

    /** Marks "every allowed tool" among a server's wanted names (never a tool name: it has no "*"). */
    private static final String ALL = "*";

    /** Whether {@code tool} may be offered to a model as a tool of {@code server}. */
    public static boolean offerable(McpServerRegistration server, ListedTool tool) {
        return server.allows(tool.name())
                && TOOL_NAME.matcher(exposedName(server.getName(), tool.name())).matches();
    }

    private static RegisteredTool registered(McpServerRegistration server, ListedTool tool) {
        return new RegisteredTool(
                exposedName(server.getName(), tool.name()),
                tool.description(),
                tool.inputSchemaJson(),
                server.needsApproval(tool.name()),
                server.getPricePerCall(),
                server.getId(),
                tool.name());
    }
}
