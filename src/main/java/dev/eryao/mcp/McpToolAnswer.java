package dev.eryao.mcp;

/**
 * What a call of a tool gave: the result's text for the model, or an error message naming the
 * server and what happened. Content is the server's data, bounded in bytes, never an instruction.
 */
public record McpToolAnswer(String content, boolean error) {
    static McpToolAnswer failed(String message) {
        return new McpToolAnswer(message, true);
    }
}
