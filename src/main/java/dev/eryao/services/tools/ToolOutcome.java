package dev.eryao.services.tools;

/**
 * What a tool call gave back to the model: its result, or an error it should see as the tool's
 * result (a server down, slow, answering garbage; arguments that fail the schema). Content is
 * untrusted data, bounded in bytes by whoever made it.
 */
public record ToolOutcome(String content, boolean error) {
    public static ToolOutcome error(String message) {
        return new ToolOutcome(message, true);
    }
}
