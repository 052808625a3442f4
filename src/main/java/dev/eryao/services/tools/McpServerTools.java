package dev.eryao.services.tools;

import dev.eryao.core.config.McpSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.mcp.ListedTool;
import dev.eryao.mcp.McpEndpoint;
import dev.eryao.mcp.McpToolAnswer;
import dev.eryao.mcp.McpToolClient;
import dev.eryao.mcp.McpUnavailableException;
import dev.eryao.models.McpServerRegistration;
import dev.eryao.provider.CancelSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A registered server's tools, through the MCP client: listed (reused for
 * {@code ERYAO_MCP__TOOLS_CACHE_SECONDS}, so claiming a run does not list its servers every time)
 * and called, with the registration's secret header taken from this process's variables. Only a
 * registration's own URL is ever given to the client.
 */
public final class McpServerTools {
    private final McpToolClient client;
    private final McpSettings settings;
    /** By server id; an entry is used only for the registration it was listed for. */
    private final Map<UUID, Listing> listings = new ConcurrentHashMap<>();

    private record Listing(Instant registrationUpdatedAt, String url, long listedAtNanos, List<ListedTool> tools) {}

    public McpServerTools(McpToolClient client, McpSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    /**
     * The server's tools: from the cache when they were listed for this very registration (same
     * {@code updated_at}: any change to it lists again) less than the cache's time ago, else
     * listed now; {@code fresh} always lists now.
     *
     * @throws McpUnavailableException the server could not be listed (or its secret is unset)
     */
    public List<ListedTool> listed(McpServerRegistration server, boolean fresh) throws McpUnavailableException {
        Listing cached = listings.get(server.getId());
        long now = System.nanoTime();
        Duration ttl = settings.toolsCacheTtl();
        if (!fresh
                && cached != null
                && cached.registrationUpdatedAt().equals(server.getUpdatedAt())
                && cached.url().equals(server.getUrl())
                && now - cached.listedAtNanos() < ttl.toNanos()) {
            return cached.tools();
        }
        McpEndpoint endpoint = endpoint(server)
                .orElseThrow(() -> new McpUnavailableException(
                        "MCP server '" + server.getName() + "' could not be listed: " + missingSecret(server)));
        List<ListedTool> tools = client.list(endpoint);
        listings.put(server.getId(), new Listing(server.getUpdatedAt(), server.getUrl(), now, tools));
        return tools;
    }

    /** Calls {@code tool} on {@code server}; never throws for what the server does. */
    public McpToolAnswer call(McpServerRegistration server, String tool, String argumentsJson, CancelSignal cancel) {
        Optional<McpEndpoint> endpoint = endpoint(server);
        if (endpoint.isEmpty()) {
            return new McpToolAnswer(
                    "the call of tool '" + tool + "' on MCP server '" + server.getName() + "' failed: "
                            + missingSecret(server),
                    true);
        }
        return client.call(endpoint.get(), tool, argumentsJson, cancel::onCancel);
    }

    /** Forgets a server's listing (its registration changed or went). */
    public void forget(UUID serverId) {
        listings.remove(serverId);
    }

    /** Empty when the registration sends a secret header whose variable is unset here. */
    private Optional<McpEndpoint> endpoint(McpServerRegistration server) {
        if (server.getSecretHeaderName() == null) {
            return Optional.of(McpEndpoint.open(server.getName(), server.getUrl()));
        }
        Optional<Secret> value = settings.secret(server.getSecretHeaderVariable());
        return value.map(
                secret -> new McpEndpoint(server.getName(), server.getUrl(), server.getSecretHeaderName(), secret));
    }

    private static String missingSecret(McpServerRegistration server) {
        return "its secret header's variable " + server.getSecretHeaderVariable()
                + " is not set in this process's environment";
    }
}
