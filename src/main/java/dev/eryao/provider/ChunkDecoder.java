package dev.eryao.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.provider.LlmCallException.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The OpenAI chat-completions answer read from its JSON: a streamed chunk (an event's data:
 * {@code choices[0].delta.content}, the pieces of {@code choices[0].delta.tool_calls},
 * {@code choices[0].finish_reason}, {@code usage}, or an {@code error} reported mid-stream) or a
 * whole answer ({@code choices[0].message.content} and/or {@code tool_calls}, with {@code usage}
 * required). Pure: no I/O, no state; what cannot be read fails as the
 * {@link LlmCallException} its run's owner will read, quoting little of it.
 *
 * <p>Token counts that are not whole numbers of at least zero are refused: a run must be priced,
 * and what a provider reports must never turn into a credit.
 */
final class ChunkDecoder {
    /** How short an event's text may be quoted in an error: enough to recognise, too little to carry a conversation. */
    private static final int QUOTED_CHARS = 40;

    /** The provider's counts, checked. */
    record Usage(int promptTokens, int completionTokens) {}

    /**
     * A piece of one tool call: {@code delta.tool_calls[i]} of a chunk (or a whole call of a whole
     * answer). OpenAI sends the id and name in a call's first piece and its arguments in pieces.
     *
     * @param index     which call of the answer it belongs to
     * @param id        null when this piece has none
     * @param name      null when this piece has none
     * @param arguments a piece of {@code function.arguments}, empty when it had none
     */
    record ToolCallPiece(int index, String id, String name, String arguments) {}

    /**
     * What one chunk (or a whole answer) says.
     *
     * @param text         the content, empty when it had none
     * @param finishReason {@code stop}, {@code length}, {@code tool_calls}, ..., or null
     * @param usage        null when it had none
     * @param toolCalls    the pieces of tool calls it carries, empty when none
     */
    record Chunk(String text, String finishReason, Usage usage, List<ToolCallPiece> toolCalls) {
        Chunk(String text, String finishReason, Usage usage) {
            this(text, finishReason, usage, List.of());
        }
    }

    /** The most tool calls one answer may ask for: far more than a model makes, few enough to hold. */
    static final int MOST_TOOL_CALLS = 128;

    private final CalledModel model;
    private final ObjectMapper json;

    ChunkDecoder(CalledModel model, ObjectMapper json) {
        this.model = model;
        this.json = json;
    }

    /** Whether an event's data is the {@code [DONE]} that ends a stream. */
    static boolean isDone(String data) {
        return data.strip().equals("[DONE]");
    }

    /**
     * One event's data, other than {@code [DONE]}.
     *
     * @throws LlmCallException for an error the provider reports (retryable: like a stream that broke
     *                          off), and for an event that is not a chunk or usage that is not counts (not)
     */
    Chunk chunk(String data) {
        JsonNode chunk;
        try {
            chunk = json.readTree(data);
        } catch (IOException e) {
            throw malformed("an event that is not JSON", data, e);
        }
        if (chunk == null || !chunk.isObject()) {
            throw malformed("an event that is not a JSON object", data, null);
        }
        JsonNode error = chunk.path("error");
        if (!error.isMissingNode() && !error.isNull()) {
            // Providers report a failure met while generating this way, after a 200: like a stream that broke off.
            throw model.failure(
                    Kind.PROVIDER_ERROR,
                    model.the() + " reported an error in its stream",
                    CallFailures.abbreviate(error.path("message").asText(error.toString())),
                    true,
                    null);
        }
        JsonNode choices = chunk.path("choices");
        if (!choices.isMissingNode() && !choices.isArray()) {
            throw malformed("an event whose choices is not a list", data, null);
        }
        JsonNode choice = choices.path(0);
        JsonNode content = choice.path("delta").path("content");
        if (!content.isMissingNode() && !content.isNull() && !content.isTextual()) {
            throw malformed("an event whose choices[0].delta.content is not text", data, null);
        }
        JsonNode usage = chunk.path("usage");
        return new Chunk(
                content.isTextual() ? content.asText() : "",
                finishReason(choice),
                usage.isMissingNode() || usage.isNull() ? null : usage(usage),
                toolCallPieces(choice.path("delta").path("tool_calls"), data, true));
    }

    /**
     * The pieces of {@code tool_calls} (a delta's, or a whole message's). Each needs an
     * {@code index} (a whole message's calls may leave it out: their place is their index), and
     * its id, {@code function.name} and {@code function.arguments}, when present, must be text.
     */
    private List<ToolCallPiece> toolCallPieces(JsonNode calls, String data, boolean streamed) {
        if (calls.isMissingNode() || calls.isNull()) {
            return List.of();
        }
        if (!calls.isArray()) {
            throw malformed("an event whose tool_calls is not a list", data, null);
        }
        List<ToolCallPiece> pieces = new ArrayList<>(calls.size());
        int place = 0;
        for (JsonNode call : calls) {
            JsonNode index = call.path("index");
            int at;
            if (index.isMissingNode() && !streamed) {
                at = place;
            } else if (index.isIntegralNumber() && index.canConvertToInt() && index.asInt() >= 0) {
                at = index.asInt();
            } else {
                throw malformed("a tool call without a whole index of at least 0", data, null);
            }
            if (at >= MOST_TOOL_CALLS) {
                throw model.failure(
                        Kind.OVERSIZED,
                        model.the() + " asked for more than " + MOST_TOOL_CALLS
                                + " tool calls in one answer: not read further",
                        false,
                        null);
            }
            JsonNode function = call.path("function");
            pieces.add(new ToolCallPiece(
                    at,
                    optionalText(call.path("id"), "id", data),
                    optionalText(function.path("name"), "function.name", data),
                    Objects.requireNonNullElse(
                            optionalText(function.path("arguments"), "function.arguments", data), "")));
            place++;
        }
        return List.copyOf(pieces);
    }

    private String optionalText(JsonNode node, String what, String data) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw malformed("a tool call whose " + what + " is not text", data, null);
        }
        return node.asText();
    }

    /**
     * A whole (not streamed) answer's body, whose text may take at most the bound of {@code limits}.
     *
     * @throws LlmCallException when it is not JSON, has no text, too much text, or no usable usage
     */
    Chunk whole(String body, AnswerLimits limits) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw model.failure(
                    Kind.BAD_ANSWER,
                    model.the() + " answered with something that is not JSON",
                    CallFailures.abbreviate(body),
                    false,
                    e);
        }
        JsonNode choice =
                root == null ? json.missingNode() : root.path("choices").path(0);
        JsonNode content = choice.path("message").path("content");
        List<ToolCallPiece> calls = toolCallPieces(choice.path("message").path("tool_calls"), body, false);
        if (!content.isTextual() && calls.isEmpty()) {
            throw model.failure(
                    Kind.BAD_ANSWER,
                    model.the() + " answered without choices[0].message.content",
                    CallFailures.abbreviate(body),
                    false,
                    null);
        }
        String text = content.isTextual() ? content.asText() : "";
        if (Utf8.length(text) > limits.answerBytes()) {
            throw limits.answerTooLong(model);
        }
        return new Chunk(text, finishReason(choice), usage(root.path("usage")), calls);
    }

    private static String finishReason(JsonNode choice) {
        JsonNode finish = choice.path("finish_reason");
        return finish.isTextual() ? finish.asText() : null;
    }

    /** A usage object's counts, refused when they are not whole numbers of at least zero. */
    private Usage usage(JsonNode usage) {
        JsonNode prompt = usage.path("prompt_tokens");
        JsonNode completion = usage.path("completion_tokens");
        if (!isTokenCount(prompt) || !isTokenCount(completion)) {
            throw model.failure(
                    Kind.BAD_ANSWER,
                    model.the() + " answered without usable usage figures"
                            + " (prompt_tokens " + describe(prompt) + ", completion_tokens " + describe(completion)
                            + "; each must be a whole number of at least 0)",
                    false,
                    null);
        }
        return new Usage(prompt.asInt(), completion.asInt());
    }

    /** A JSON integer (not 1.5, not "10") that fits an int and is not negative. */
    private static boolean isTokenCount(JsonNode node) {
        return node.isIntegralNumber() && node.canConvertToInt() && node.asInt() >= 0;
    }

    /** A usage field as received, for the error: its JSON (a number or a type's name), never content. */
    private static String describe(JsonNode node) {
        if (node.isMissingNode()) {
            return "missing";
        }
        return node.isNumber() ? node.asText() : node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private LlmCallException malformed(String what, String data, Throwable cause) {
        String prefix = data.length() <= QUOTED_CHARS ? data : data.substring(0, QUOTED_CHARS) + "...";
        return model.failure(Kind.BAD_ANSWER, model.the() + " sent " + what, prefix, false, cause);
    }
}
