package dev.eryao.provider;

import java.util.List;

/**
 * One message of a chat-completions request: {@code role} is system, user, assistant or tool. An
 * assistant message may carry the tool calls its model asked for ({@code tool_calls}; its content
 * may then be empty), and a {@code tool} message is the result of one of them ({@code tool_call_id}).
 *
 * @param toolCalls  the calls of an assistant message, empty for any other
 * @param toolCallId the call a {@code tool} message answers, null for any other
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId) {
    public static final String TOOL = "tool";
    public static final String ASSISTANT = "assistant";

    public ChatMessage {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        content = content == null ? "" : content;
    }

    public ChatMessage(String role, String content) {
        this(role, content, List.of(), null);
    }

    /** An assistant message that asked for {@code calls} (with whatever text it wrote beside them). */
    public static ChatMessage assistantCalls(String content, List<ToolCall> calls) {
        return new ChatMessage(ASSISTANT, content, calls, null);
    }

    /** The result of call {@code callId}, as the model is sent it. */
    public static ChatMessage toolResult(String callId, String content) {
        return new ChatMessage(TOOL, content, List.of(), callId);
    }

    /**
     * What this message adds to a prompt, in UTF-8 bytes: its content, and the names, ids and
     * arguments of its calls or the id it answers (the framing per message is counted apart).
     */
    public long promptBytes() {
        long bytes = Utf8.length(content);
        for (ToolCall call : toolCalls) {
            bytes += bytes(call.id()) + bytes(call.name()) + bytes(call.argumentsJson());
        }
        return bytes + bytes(toolCallId);
    }

    private static long bytes(String text) {
        return text == null ? 0 : Utf8.length(text);
    }
}
