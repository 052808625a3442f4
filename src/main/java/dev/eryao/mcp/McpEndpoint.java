package dev.eryao.mcp;

import dev.eryao.core.config.Secret;

/**
 * A registered MCP server as the client reaches it: its name (for messages), its streamable-HTTP
 * URL from the registry, and the secret header to send, if any.
 *
 * @param headerName  the secret header's name, or null for none
 * @param headerValue its value (masked when printed); empty when there is no header
 */
public record McpEndpoint(String server, String url, String headerName, Secret headerValue) {
    public McpEndpoint {
        headerValue = headerValue == null ? Secret.empty() : headerValue;
    }

    /** A server called without a secret header. */
    public static McpEndpoint open(String server, String url) {
        return new McpEndpoint(server, url, null, Secret.empty());
    }
}
