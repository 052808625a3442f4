package dev.eryao.mcp;

/** A server's tools could not be listed: down, slow, garbage, an error. The message names the server. */
public final class McpUnavailableException extends Exception {
    public McpUnavailableException(String message) {
        super(message);
    }
}
