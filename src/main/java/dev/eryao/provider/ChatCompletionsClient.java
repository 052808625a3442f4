package dev.eryao.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eryao.core.config.LlmSettings;
import dev.eryao.provider.LlmCallException.Kind;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;

/**
 * The OpenAI-compatible chat-completions protocol: POST {@code {model, messages, max_tokens,
 * stream: true}} (and {@code tools} with {@code tool_choice: "auto"} when tools are offered; earlier
 * calls as assistant messages' {@code tool_calls}, their results as {@code tool} messages) to a
 * model's {@code request_url} with {@code Authorization: Bearer <key>}, and read
 * {@code choices[0].delta.content}, {@code delta.tool_calls} and {@code usage} from the server-sent
 * events that come back
 * ({@link StreamedCall}, {@link ChunkDecoder}) — or {@code choices[0].message.content} from a server
 * that ignores {@code stream: true} and answers whole. Token counts that are not whole numbers of
 * at least zero are refused: a run must be priced, and what a provider reports must never turn into
 * a credit. A whole answer without usage is refused too; a stream without it is estimated
 * ({@link TokenEstimate}), because several compatible servers ignore {@code stream_options}. What a
 * provider sends is bounded by the output cap ({@link AnswerLimits}), whichever way it answers.
 *
 * <p>Failures name the model by factory and code for its owner, and carry its {@code request_url}
 * only in {@link LlmCallException#summary()}, for the logs.
 */
public final class ChatCompletionsClient {
    /** The longest a connection to a provider may take to open, unless the whole timeout is shorter. */
    static final Duration MOST_CONNECT_TIME = Duration.ofSeconds(10);

    /** How long a connection may take to open: {@link #MOST_CONNECT_TIME}, or the whole timeout when that is shorter. */
    static Duration connectTimeout(LlmSettings settings) {
        return settings.timeout().compareTo(MOST_CONNECT_TIME) < 0 ? settings.timeout() : MOST_CONNECT_TIME;
    }

    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final LlmSettings settings;

    public ChatCompletionsClient(LlmSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout(settings))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Asks for the answer as server-sent events ({@code stream: true}, with
     * {@code stream_options.include_usage} so the last chunk carries the usage) and hands each piece
     * of text to {@code onDelta} as it arrives, on this thread, in order.
     *
     * <p>How tokens are counted: the provider's final usage chunk when it sent one; otherwise the
     * {@link TokenEstimate} upper bounds — the prompt's bound (UTF-8 bytes plus framing, capped at
     * {@code contextTokens}) and the UTF-8 bytes of the text received (capped at {@code maxTokens}) —
     * with {@link Completion#usageEstimated()} set. A call {@link CancelSignal#cancel() cancelled}
     * while it runs returns what had arrived, {@link Completion#cancelled()} set, counted the same
     * way: the provider's usage if it had come, else the estimate, prompt included, because the
     * provider has read the prompt once the request is sent. A call cancelled before it starts sends
     * nothing and counts nothing.
     *
     * <p>Bounds: the whole call, {@code ERYAO_LLM__TIMEOUT_SECONDS}; a silence (not a byte, not even a
     * keep-alive comment), {@code ERYAO_LLM__IDLE_SECONDS}, so a connection that died without a word
     * does not hold the run for the whole timeout; what arrives, {@link AnswerLimits}. A cancel wakes
     * this thread at once rather than at the next chunk, and the model's exchange is aborted (on
     * HTTP/1.1 the connection is closed, on HTTP/2 the stream is reset) so that the provider stops
     * generating tokens nobody will read.
     *
     * @throws LlmCallException when no usable answer came back: a non-2xx status is retryable when
     *                          it is 408, 429 or a 5xx; a timeout, a silence, or a stream that broke off
     *                          before the answer ended is retryable; an event that cannot be read,
     *                          usage that is not whole numbers of at least zero, more than the
     *                          {@link AnswerLimits} allow, or a request that cannot be built, is not
     */
    public Completion stream(ChatRequest call, DeltaListener onDelta, CancelSignal cancel) {
        if (cancel.isCancelled()) {
            return new Completion("", 0, 0, null, false, true);
        }
        CalledModel model = CalledModel.of(call);
        ObjectNode body = body(model, call);
        body.put("stream", true).putObject("stream_options").put("include_usage", true);
        HttpRequest request = ProviderRequest.build(model, call.factoryName(), settings, body.toString());
        return new StreamedCall(settings, json, call, limits(call.maxTokens()), onDelta, cancel).run(http, request);
    }

    private AnswerLimits limits(int maxTokens) {
        return new AnswerLimits(maxTokens, settings.answerBytesPerToken());
    }

    private ObjectNode body(CalledModel model, ChatRequest call) {
        ObjectNode body = json.createObjectNode().put("model", call.modelCode()).put("max_tokens", call.maxTokens());
        ArrayNode list = body.putArray("messages");
        call.messages().forEach(message -> message(list.addObject(), message));
        if (!call.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolDefinition tool : call.tools()) {
                ObjectNode function = tools.addObject().put("type", "function").putObject("function");
                function.put("name", tool.name()).put("description", tool.description());
                function.set("parameters", parameters(model, tool));
            }
            body.put("tool_choice", "auto");
        }
        return body;
    }

    /**
     * A message as OpenAI reads it: an assistant's calls as {@code tool_calls} (its content null when
     * it wrote none beside them), a tool's result with the {@code tool_call_id} it answers.
     */
    private static void message(ObjectNode sent, ChatMessage message) {
        sent.put("role", message.role());
        if (message.toolCalls().isEmpty() || !message.content().isEmpty()) {
            sent.put("content", message.content());
        } else {
            sent.putNull("content");
        }
        if (!message.toolCalls().isEmpty()) {
            ArrayNode calls = sent.putArray("tool_calls");
            for (ToolCall toolCall : message.toolCalls()) {
                calls.addObject()
                        .put("id", toolCall.id())
                        .put("type", "function")
                        .putObject("function")
                        .put("name", toolCall.name())
                        .put("arguments", toolCall.argumentsJson());
            }
        }
        if (message.toolCallId() != null) {
            sent.put("tool_call_id", message.toolCallId());
        }
    }

    /** A tool's schema as JSON; one that is not a JSON object fails the call for good (it was checked when declared). */
    private JsonNode parameters(CalledModel model, ToolDefinition tool) {
        try {
            JsonNode schema = json.readTree(tool.parametersJson());
            if (schema != null && schema.isObject()) {
                return schema;
            }
        } catch (IOException e) {
            // named below
        }
        throw model.failure(
                Kind.REQUEST,
                "the parameters of the tool " + tool.name() + " offered to " + model.the() + " are not a JSON object",
                false,
                null);
    }
}
