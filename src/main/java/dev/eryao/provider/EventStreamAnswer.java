package dev.eryao.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * An answer read as server-sent events, line by line: each event's {@code data} lines are gathered
 * (at most {@link AnswerLimits#EVENT_BYTES}), each event read as a chat-completion chunk, its text
 * handed to the listener (at most {@link AnswerLimits#answerBytes()} in all), its finish reason and
 * usage kept. Also the end of an answer that came whole ({@link #deliver}), so text and counting
 * live in one place.
 */
final class EventStreamAnswer {
    /** How short an event's text may be quoted in an error: enough to recognise, too little to carry a conversation. */
    private static final int QUOTED_CHARS = 40;

    private final ChatRequest call;
    private final CalledModel model;
    private final AnswerLimits limits;
    private final ObjectMapper json;
    private final DeltaListener onDelta;
    private final CancelSignal cancel;

    private final StringBuilder text = new StringBuilder();
    private long textBytes;
    private StringBuilder data;
    private long dataBytes;
    private String finishReason;
    private Integer promptTokens;
    private Integer completionTokens;

    EventStreamAnswer(ChatRequest call, AnswerLimits limits, ObjectMapper json, DeltaListener onDelta,
                      CancelSignal cancel) {
        this.call = call;
        this.model = CalledModel.of(call);
        this.limits = limits;
        this.json = json;
        this.onDelta = onDelta;
        this.cancel = cancel;
    }

    /**
     * One line of server-sent events ({@code bytes} long in UTF-8): a field ({@code data: ...}), a
     * comment ({@code : ...}) or the blank line that ends an event. True once {@code [DONE]} has come.
     */
    boolean line(String line, int bytes) {
        if (line.isEmpty()) {
            return data != null && dispatch();
        }
        if (line.startsWith(":")) {
            return false;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        if (!field.equals("data")) {
            return false; // event, id, retry: nothing a chat completion needs
        }
        dataBytes += bytes + 1;
        if (dataBytes > AnswerLimits.EVENT_BYTES) {
            throw AnswerLimits.eventTooLong(model);
        }
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (data == null) {
            data = new StringBuilder(value);
        } else {
            data.append('\n').append(value);
        }
        return false;
    }

    /**
     * The body has ended: servers are asked for a blank line after each event, but an unterminated
     * last one still counts. True when the answer is whole.
     */
    boolean ended() {
        return (data != null && dispatch()) || finishReason != null;
    }

    /** The event whose data lines have been gathered. True when it was {@code [DONE]}. */
    private boolean dispatch() {
        String event = data.toString();
        data = null;
        dataBytes = 0;
        if (event.strip().equals("[DONE]")) {
            return true;
        }
        JsonNode chunk;
        try {
            chunk = json.readTree(event);
        } catch (IOException e) {
            throw malformed("an event that is not JSON", event, e);
        }
        if (chunk == null || !chunk.isObject()) {
            throw malformed("an event that is not a JSON object", event, null);
        }
        JsonNode error = chunk.path("error");
        if (!error.isMissingNode() && !error.isNull()) {
            // Providers report a failure met while generating this way, after a 200: like a stream that broke off.
            throw model.failure(model.the() + " reported an error in its stream",
                    ChatCompletionsClient.abbreviate(error.path("message").asText(error.toString())), true, null);
        }
        JsonNode choices = chunk.path("choices");
        if (!choices.isMissingNode() && !choices.isArray()) {
            throw malformed("an event whose choices is not a list", event, null);
        }
        JsonNode choice = choices.path(0);
        JsonNode content = choice.path("delta").path("content");
        if (!content.isMissingNode() && !content.isNull() && !content.isTextual()) {
            throw malformed("an event whose choices[0].delta.content is not text", event, null);
        }
        if (content.isTextual() && !content.asText().isEmpty() && !deliver(content.asText())) {
            return false; // cancelled: the reader returns what was delivered
        }
        JsonNode finish = choice.path("finish_reason");
        if (finish.isTextual()) {
            finishReason = finish.asText();
        }
        JsonNode usage = chunk.path("usage");
        if (!usage.isMissingNode() && !usage.isNull()) {
            ChatCompletionsClient.checkUsage(model, usage);
            promptTokens = usage.path("prompt_tokens").asInt();
            completionTokens = usage.path("completion_tokens").asInt();
        }
        return false;
    }

    /**
     * Hands a piece to the listener unless the call was cancelled; only what was handed over counts
     * as produced. False when cancelled.
     *
     * @throws LlmCallException when the piece would take the answer past its bound: it is not handed over
     */
    boolean deliver(String piece) {
        textBytes += Utf8.length(piece);
        if (textBytes > limits.answerBytes()) {
            throw limits.answerTooLong(model);
        }
        return cancel.deliverUnlessCancelled(() -> {
            text.append(piece);
            onDelta.onDelta(piece);
        });
    }

    /** What arrived, counted by the provider's usage when it came, else by the {@link TokenEstimate} bounds. */
    Completion completion(boolean cancelled) {
        String produced = text.toString();
        if (promptTokens != null) {
            return new Completion(produced, promptTokens, completionTokens, finishReason, false, cancelled);
        }
        return new Completion(produced, TokenEstimate.promptTokens(call.messages(), call.contextTokens()),
                TokenEstimate.completionTokens(produced, call.maxTokens()), finishReason, true, cancelled);
    }

    private LlmCallException malformed(String what, String event, Throwable cause) {
        String prefix = event.length() <= QUOTED_CHARS ? event : event.substring(0, QUOTED_CHARS) + "...";
        return model.failure(model.the() + " sent " + what, prefix, false, cause);
    }
}
