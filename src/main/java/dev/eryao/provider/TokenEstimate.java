package dev.eryao.provider;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Token counts for a call whose provider reported none (a stream without a usage chunk, or one
 * stopped before it came). They are upper bounds, not guesses, so an estimate never charges less
 * than the hold assumed and never less than the provider could have counted: the tokenizers of the
 * models served here (byte-level BPE, and SentencePiece with byte fallback) never make more than
 * one token of a UTF-8 byte. The prompt adds {@value #TOKENS_PER_MESSAGE} tokens per message, and
 * once for the reply, for the chat framing — the same rule {@code RunPrice} holds a run's points
 * by, so an estimated run costs at most its hold.
 */
public final class TokenEstimate {
    /** Framing tokens counted per message (role markers and separators), and once for the reply. */
    public static final int TOKENS_PER_MESSAGE = 8;

    private TokenEstimate() {}

    /** The most prompt tokens {@code messages} can be, capped at the model's window when it has one. */
    public static int promptTokens(List<ChatMessage> messages, Integer contextTokens) {
        return promptTokens(messages, List.of(), contextTokens);
    }

    /**
     * The most prompt tokens {@code messages} and the {@code tools} offered with them can be, capped
     * at the model's window when it has one: a message's content, calls and call id
     * ({@link ChatMessage#promptBytes()}), and each tool's name, description and schema, as bytes,
     * with framing per message and per tool.
     */
    public static int promptTokens(List<ChatMessage> messages, List<ToolDefinition> tools, Integer contextTokens) {
        long bound = TOKENS_PER_MESSAGE + toolsBytes(tools);
        for (ChatMessage message : messages) {
            bound += message.promptBytes() + TOKENS_PER_MESSAGE;
        }
        if (contextTokens != null) {
            bound = Math.min(bound, contextTokens);
        }
        return (int) Math.min(bound, Integer.MAX_VALUE);
    }

    /** The most tokens {@code text} can be, capped at the {@code max_tokens} the model was allowed. */
    public static int completionTokens(String text, int maxTokens) {
        return (int) Math.min(utf8Bytes(text), Math.max(0, maxTokens));
    }

    /** The most tokens an answer of {@code outputBytes} (its text and its calls' names and arguments) can be. */
    static int completionTokens(long outputBytes, int maxTokens) {
        return (int) Math.min(outputBytes, Math.max(0, maxTokens));
    }

    /**
     * What offering {@code tools} adds to a prompt: each one's name, description and schema as
     * bytes, and {@value #TOKENS_PER_MESSAGE} tokens of framing each.
     */
    public static long toolsBytes(List<ToolDefinition> tools) {
        long bytes = 0;
        for (ToolDefinition tool : tools) {
            bytes += utf8Bytes(tool.name())
                    + utf8Bytes(tool.description())
                    + utf8Bytes(tool.parametersJson())
                    + TOKENS_PER_MESSAGE;
        }
        return bytes;
    }

    private static long utf8Bytes(String text) {
        return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
    }
}
