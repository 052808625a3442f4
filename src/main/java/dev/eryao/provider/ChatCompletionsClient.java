package dev.eryao.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eryao.core.config.Durations;
import dev.eryao.core.config.LlmSettings;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The OpenAI-compatible chat-completions protocol: POST {@code {model, messages, max_tokens}} to a
 * model's {@code request_url} with {@code Authorization: Bearer <key>}, read
 * {@code choices[0].message.content} and {@code usage} — whole ({@link #complete}) or as server-sent
 * events ({@link #stream}). Token counts that are not whole numbers of at least zero are refused: a
 * run must be priced, and what a provider reports must never turn into a credit. A whole answer
 * without usage is refused too; a stream without it is estimated ({@link TokenEstimate}), because
 * several compatible servers ignore {@code stream_options}. What a provider sends is bounded by the
 * output cap ({@link AnswerLimits}), whichever way it answers.
 *
 * <p>Failures name the model by factory and code for its owner, and carry its {@code request_url}
 * only in {@link LlmCallException#summary()}, for the logs.
 */
public final class ChatCompletionsClient {
    static final int ERROR_BODY_CHARS = 300;
    /** The longest a connection to a provider may take to open, unless the whole timeout is shorter. */
    static final Duration MOST_CONNECT_TIME = Duration.ofSeconds(10);

    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final LlmSettings settings;

    public ChatCompletionsClient(LlmSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * @param factoryName whose API key to send ({@code ERYAO_LLM__<FACTORY>__API_KEY}), if one is set
     * @param maxTokens   the output cap, sent as {@code max_tokens}; it bounds what is read back
     * @throws LlmCallException when no usable answer came back
     */
    public Completion complete(String requestUrl, String factoryName, String modelCode, List<ChatMessage> messages,
                               int maxTokens) {
        CalledModel model = CalledModel.of(factoryName, modelCode, requestUrl);
        AnswerLimits limits = limits(maxTokens);
        HttpRequest request = ProviderRequest.build(model, factoryName, settings,
                body(modelCode, messages, maxTokens).toString(), false);
        HttpResponse<String> response;
        try {
            response = http.send(request, info -> new CappedBodySubscriber(info.statusCode(),
                    info.statusCode() / 100 == 2 ? limits.bodyBytes() : AnswerLimits.ERROR_BODY_BYTES));
        } catch (IOException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof CappedBodySubscriber.TooLong tooLong) {
                    throw tooLong.status() / 100 == 2 ? limits.bodyTooLong(model)
                            : AnswerLimits.errorBodyTooLong(model, tooLong.status());
                }
            }
            throw beforeAnswer(model, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmCallException("interrupted while waiting for the model", true, e);
        } catch (RuntimeException e) {
            throw beforeAnswer(model, e);
        }
        return parse(model, limits, response.statusCode(), response.body());
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
     * @throws LlmCallException when no usable answer came back: a non-2xx status is classified as by
     *                          {@link #complete}; a timeout, a silence, or a stream that broke off
     *                          before the answer ended is retryable; an event that cannot be read,
     *                          usage that is not whole numbers of at least zero, more than the
     *                          {@link AnswerLimits} allow, or a request that cannot be built, is not
     */
    public Completion stream(ChatRequest call, DeltaListener onDelta, CancelSignal cancel) {
        if (cancel.isCancelled()) {
            return new Completion("", 0, 0, null, false, true);
        }
        ObjectNode body = body(call.modelCode(), call.messages(), call.maxTokens());
        body.put("stream", true).putObject("stream_options").put("include_usage", true);
        CalledModel model = CalledModel.of(call);
        HttpRequest request = ProviderRequest.build(model, call.factoryName(), settings, body.toString(), true);
        return new StreamedCall(this, call, limits(call.maxTokens()), onDelta, cancel).run(http, request);
    }

    LlmSettings settings() {
        return settings;
    }

    private Duration connectTimeout() {
        return settings.timeout().compareTo(MOST_CONNECT_TIME) < 0 ? settings.timeout() : MOST_CONNECT_TIME;
    }

    ObjectMapper json() {
        return json;
    }

    private AnswerLimits limits(int maxTokens) {
        return new AnswerLimits(maxTokens, settings.answerBytesPerToken());
    }

    /** The failure a connection or request error before any answer is, named as {@link #complete} names it. */
    LlmCallException beforeAnswer(CalledModel model, Throwable error) {
        if (error instanceof HttpConnectTimeoutException e) {
            return model.failure("cannot reach " + model.the() + ": no connection within "
                    + Durations.seconds(connectTimeout()), true, e);
        }
        if (error instanceof HttpTimeoutException e) {
            return model.failure(model.the() + " did not answer within "
                    + Durations.seconds(settings.timeout()) + " (ERYAO_LLM__TIMEOUT_SECONDS)", true, e);
        }
        if (error instanceof IOException e) {
            return unreachable(model, e);
        }
        // By class only, and without it as the cause: such a message can quote the request, key and all.
        return model.failure("the call to " + model.the() + " failed (" + error.getClass().getSimpleName() + ")",
                true, null);
    }

    /**
     * Names why a connection failed, as a newcomer needs it named: the HTTP client reports an
     * unknown host, a refused connection and a TLS failure all as an IOException, and said
     * "connection refused" for each before. What the network said, which can name hosts and
     * addresses, goes to the logs only.
     */
    static LlmCallException unreachable(CalledModel model, IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
                return model.failure("cannot reach " + model.the() + ": its host is not known (DNS)", true, e);
            }
            if (cause instanceof ConnectException) {
                return model.failure("cannot reach " + model.the()
                        + ": connection refused (is the server running?)", true, e);
            }
            if (cause instanceof SSLException) {
                return model.failureWithDetail("cannot reach " + model.the() + ": TLS failed",
                        String.valueOf(cause.getMessage()), false, e);
            }
        }
        return model.failureWithDetail("cannot reach " + model.the() + " (" + e.getClass().getSimpleName() + ")",
                String.valueOf(e.getMessage()), true, e);
    }

    /** A non-2xx answer: worth retrying when the provider timed out, was busy or failed (408, 429, 5xx). */
    static LlmCallException statusFailure(CalledModel model, int status, String body) {
        boolean retryable = status == 408 || status == 429 || status >= 500;
        return model.failure(model.the() + " answered " + status, abbreviate(body), retryable, null);
    }

    /** A whole (not streamed) answer. */
    Completion parse(CalledModel model, AnswerLimits limits, int status, String responseBody) {
        if (status / 100 != 2) {
            throw statusFailure(model, status, responseBody);
        }
        try {
            JsonNode root = json.readTree(responseBody);
            JsonNode content = root.path("choices").path(0).path("message").path("content");
            JsonNode usage = root.path("usage");
            if (!content.isTextual()) {
                throw model.failure(model.the() + " answered without choices[0].message.content",
                        abbreviate(responseBody), false, null);
            }
            if (Utf8.length(content.asText()) > limits.answerBytes()) {
                throw limits.answerTooLong(model);
            }
            checkUsage(model, usage);
            JsonNode finish = root.path("choices").path(0).path("finish_reason");
            return new Completion(content.asText(), usage.path("prompt_tokens").asInt(),
                    usage.path("completion_tokens").asInt(), finish.isTextual() ? finish.asText() : null, false, false);
        } catch (IOException e) {
            throw model.failure(model.the() + " answered with something that is not JSON",
                    abbreviate(responseBody), false, e);
        }
    }

    /** Refuses a usage object whose token counts are not whole numbers of at least zero. */
    static void checkUsage(CalledModel model, JsonNode usage) {
        JsonNode prompt = usage.path("prompt_tokens");
        JsonNode completion = usage.path("completion_tokens");
        if (!isTokenCount(prompt) || !isTokenCount(completion)) {
            throw model.failure(model.the() + " answered without usable usage figures"
                    + " (prompt_tokens " + describe(prompt) + ", completion_tokens " + describe(completion)
                    + "; each must be a whole number of at least 0)", false, null);
        }
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
        return node.isNumber() ? node.asText() : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private ObjectNode body(String modelCode, List<ChatMessage> messages, int maxTokens) {
        ObjectNode body = json.createObjectNode().put("model", modelCode).put("max_tokens", maxTokens);
        ArrayNode list = body.putArray("messages");
        messages.forEach(message -> list.addObject().put("role", message.role()).put("content", message.content()));
        return body;
    }

    static String abbreviate(String text) {
        String oneLine = text == null ? "" : text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= ERROR_BODY_CHARS ? oneLine : oneLine.substring(0, ERROR_BODY_CHARS) + "...";
    }
}
