package dev.eryao.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A tool's result as the text the model reads: its text parts, one per line; what is not text
 * (an image, audio, a binary resource, a link) named by kind and never fetched; the structured
 * result as JSON when there is no text. At most a set number of UTF-8 bytes are kept: a longer
 * result is cut on a character's boundary and ends with a line saying so, so the model knows it
 * has only the beginning.
 */
final class ResultText {
    private final McpJsonMapper json;
    private final int maxBytes;

    ResultText(McpJsonMapper json, int maxBytes) {
        this.json = json;
        this.maxBytes = maxBytes;
    }

    String of(McpSchema.CallToolResult result) {
        StringBuilder text = new StringBuilder();
        List<McpSchema.Content> parts = result.content() == null ? List.of() : result.content();
        for (McpSchema.Content part : parts) {
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(describe(part));
        }
        if (text.isEmpty() && result.structuredContent() != null) {
            try {
                text.append(json.writeValueAsString(result.structuredContent()));
            } catch (IOException e) {
                text.append("[a structured result that cannot be written as JSON]");
            }
        }
        return bounded(text.toString());
    }

    private static String describe(McpSchema.Content part) {
        return switch (part) {
            case McpSchema.TextContent t -> t.text() == null ? "" : t.text();
            case McpSchema.ImageContent i -> "[an image (" + i.mimeType() + "), not shown]";
            case McpSchema.AudioContent a -> "[audio (" + a.mimeType() + "), not shown]";
            case McpSchema.EmbeddedResource e ->
                e.resource() instanceof McpSchema.TextResourceContents t
                        ? t.text()
                        : "[a binary resource (" + e.resource().mimeType() + "), not shown]";
            case McpSchema.ResourceLink l -> "[a link to a resource named '" + l.name() + "', not followed]";
            default -> "[a part of kind '" + part.type() + "', not shown]";
        };
    }

    /** {@code text} within {@link #maxBytes} UTF-8 bytes, cut and marked when it is longer. */
    String bounded(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return text;
        }
        int end = maxBytes;
        // back to the start of a character: continuation bytes are 10xxxxxx
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8)
                + "\n[cut: the result was " + bytes.length + " bytes; only its first " + maxBytes
                + " are kept]";
    }
}
