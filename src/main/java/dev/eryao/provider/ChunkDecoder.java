package dev.eryao.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.provider.LlmCallException.Kind;
import java.io.IOException;
import java.util.Locale;

/**
 * The OpenAI chat-completions answer read from its JSON: a streamed chunk (an event's data:
 * {@code choices[0].delta.content}, {@code choices[0].finish_reason}, {@code usage}, or an
 * {@code error} reported mid-stream) or a whole answer ({@code choices[0].message.content}, with
 * {@code usage} required). Pure: no I/O, no state; what cannot be read fails as the
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
     * What one chunk (or a whole answer) says.
     *
     * @param text         the content, empty when it had none
     * @param finishReason {@code stop}, {@code length}, ..., or null
     * @param usage        null when it had none
     */
    record Chunk(String text, String finishReason, Usage usage) {}

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
                usage.isMissingNode() || usage.isNull() ? null : usage(usage));
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
        if (!content.isTextual()) {
            throw model.failure(
                    Kind.BAD_ANSWER,
                    model.the() + " answered without choices[0].message.content",
                    CallFailures.abbreviate(body),
                    false,
                    null);
        }
        if (Utf8.length(content.asText()) > limits.answerBytes()) {
            throw limits.answerTooLong(model);
        }
        return new Chunk(content.asText(), finishReason(choice), usage(root.path("usage")));
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
