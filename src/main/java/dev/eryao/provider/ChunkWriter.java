package dev.eryao.provider;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Writes the OpenAI chat-completions answer as a provider sends it: a stream's chunks, each a
 * server-sent event ({@code data: <json>} and a blank line), in the order OpenAI sends them —
 * {@link #role()}, a {@link #delta} per piece of text, {@link #finish}, {@link #usage} (when the
 * request asked for it with {@code stream_options.include_usage}), {@link #done()} — or a whole answer
 * ({@link #whole}). For the loopback models that stand in for a provider: {@link StandInModel}, the
 * tests' fake and the benchmarks'; {@link ChunkDecoder} reads what this writes.
 */
public final class ChunkWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String id;
    private final String model;
    private final boolean usageNull;

    /**
     * @param id        the answer's {@code id}, the same in every chunk
     * @param model     the {@code model} the request named
     * @param usageNull every chunk before the usage chunk says {@code "usage": null}, as OpenAI's do
     *                  when asked for usage
     */
    public ChunkWriter(String id, String model, boolean usageNull) {
        this.id = id;
        this.model = model;
        this.usageNull = usageNull;
    }

    /** The first chunk: the assistant's role, with empty content. */
    public String role() {
        ObjectNode chunk = chunk(usageNull);
        chunk.putArray("choices")
                .addObject()
                .put("index", 0)
                .putNull("finish_reason")
                .putObject("delta")
                .put("role", "assistant")
                .put("content", "");
        return event(chunk);
    }

    /** A chunk carrying {@code text} as {@code choices[0].delta.content}. */
    public String delta(String text) {
        ObjectNode chunk = chunk(usageNull);
        chunk.putArray("choices")
                .addObject()
                .put("index", 0)
                .putNull("finish_reason")
                .putObject("delta")
                .put("content", text);
        return event(chunk);
    }

    /**
     * A chunk carrying a piece of tool call {@code index}: {@code id} and {@code name} in its first
     * piece only (null in the others), {@code arguments} a fragment of its arguments' JSON.
     */
    public String toolCallDelta(int index, String id, String name, String arguments) {
        ObjectNode chunk = chunk(usageNull);
        ObjectNode call = chunk.putArray("choices")
                .addObject()
                .put("index", 0)
                .putNull("finish_reason")
                .putObject("delta")
                .putArray("tool_calls")
                .addObject()
                .put("index", index);
        if (id != null) {
            call.put("id", id).put("type", "function");
        }
        ObjectNode function = call.putObject("function");
        if (name != null) {
            function.put("name", name);
        }
        function.put("arguments", arguments);
        return event(chunk);
    }

    /** The chunk that ends the text: {@code reason} ({@code stop}, {@code length}) and an empty delta. */
    public String finish(String reason) {
        ObjectNode chunk = chunk(usageNull);
        chunk.putArray("choices")
                .addObject()
                .put("index", 0)
                .put("finish_reason", reason)
                .putObject("delta");
        return event(chunk);
    }

    /**
     * The usage chunk ({@code choices: []}); a null count is left out, and {@code total_tokens}
     * is sent when both are given.
     */
    public String usage(Integer promptTokens, Integer completionTokens) {
        ObjectNode chunk = chunk(false);
        chunk.putArray("choices");
        usage(chunk, promptTokens, completionTokens);
        return event(chunk);
    }

    /** The event that ends the stream. */
    public static String done() {
        return "data: [DONE]\n\n";
    }

    /** A whole answer (not streamed), as JSON: {@code choices[0].message.content} and its usage. */
    public String whole(String content, String finishReason, int promptTokens, int completionTokens) {
        ObjectNode root = JSON.createObjectNode()
                .put("id", id)
                .put("object", "chat.completion")
                .put("model", model);
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0).put("finish_reason", finishReason);
        choice.putObject("message").put("role", "assistant").put("content", content);
        usage(root, promptTokens, completionTokens);
        return root.toString();
    }

    /** A whole answer (not streamed) that asks for {@code calls}: content null, {@code finish_reason: tool_calls}. */
    public String wholeToolCalls(List<ToolCall> calls, int promptTokens, int completionTokens) {
        ObjectNode root = JSON.createObjectNode()
                .put("id", id)
                .put("object", "chat.completion")
                .put("model", model);
        ObjectNode message = root.putArray("choices")
                .addObject()
                .put("index", 0)
                .put("finish_reason", "tool_calls")
                .putObject("message")
                .put("role", "assistant")
                .putNull("content");
        ArrayNode list = message.putArray("tool_calls");
        for (ToolCall call : calls) {
            list.addObject()
                    .put("id", call.id())
                    .put("type", "function")
                    .putObject("function")
                    .put("name", call.name())
                    .put("arguments", call.argumentsJson());
        }
        usage(root, promptTokens, completionTokens);
        return root.toString();
    }

    private ObjectNode chunk(boolean withUsageNull) {
        ObjectNode chunk = JSON.createObjectNode()
                .put("id", id)
                .put("object", "chat.completion.chunk")
                .put("model", model);
        if (withUsageNull) {
            chunk.putNull("usage");
        }
        return chunk;
    }

    private static void usage(ObjectNode root, Integer promptTokens, Integer completionTokens) {
        ObjectNode usage = root.putObject("usage");
        if (promptTokens != null) {
            usage.put("prompt_tokens", promptTokens);
        }
        if (completionTokens != null) {
            usage.put("completion_tokens", completionTokens);
        }
        if (promptTokens != null && completionTokens != null) {
            usage.put("total_tokens", promptTokens + completionTokens);
        }
    }

    /** One event of one data line: JSON as Jackson writes it holds no line end (they are escaped in strings). */
    private static String event(ObjectNode chunk) {
        return "data: " + chunk + "\n\n";
    }
}
