package dev.eryao.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eryao.core.config.LlmSettings;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;
import java.time.Duration;
import java.util.List;

/**
 * The OpenAI-compatible chat-completions protocol: POST {@code {model, messages, max_tokens}} to a
 * model's {@code request_url} with {@code Authorization: Bearer <key>}, read
 * {@code choices[0].message.content} and {@code usage} — whole ({@link #complete}) or as server-sent
 * events ({@link #stream}). Token counts that are not whole numbers of at least zero are refused: a
 * run must be priced, and what a provider reports must never turn into a credit. A whole answer
 * without usage is refused too; a stream without it is estimated ({@link TokenEstimate}), because
 * several compatible servers ignore {@code stream_options}.
 */
public final class ChatCompletionsClient {
    static final int ERROR_BODY_CHARS = 300;

    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final LlmSettings settings;

    public ChatCompletionsClient(LlmSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(Math.min(10, settings.timeoutSeconds())))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * @param factoryName whose API key to send ({@code ERYAO_LLM__<FACTORY>__API_KEY}), if one is set
     * @param maxTokens   the output cap, sent as {@code max_tokens}
     * @throws LlmCallException when no usable answer came back
     */
    public Completion complete(String requestUrl, String factoryName, String modelCode, List<ChatMessage> messages,
                               int maxTokens) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(requestUrl))
                .timeout(Duration.ofSeconds(settings.timeoutSeconds()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(modelCode, messages, maxTokens).toString()));
        settings.apiKeyFor(factoryName).ifPresent(key -> request.header("Authorization", "Bearer " + key.reveal()));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw beforeAnswer(requestUrl, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmCallException("interrupted while waiting for the model", true, e);
        }
        return parse(requestUrl, response.statusCode(), response.body());
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
     * <p>Bounds: the whole call, {@code ERYAO_LLM__TIMEOUT_SECONDS}; a silence (no line, not even a
     * keep-alive comment), {@code ERYAO_LLM__IDLE_SECONDS}, so a connection that died without a word
     * does not hold the run for the whole timeout. A cancel wakes this thread at once rather than at
     * the next chunk, and the model's exchange is aborted (on HTTP/1.1 the connection is closed, on
     * HTTP/2 the stream is reset) so that the provider stops generating tokens nobody will read.
     *
     * @throws LlmCallException when no usable answer came back: a non-2xx status is classified as by
     *                          {@link #complete}; a timeout, a silence, or a stream that broke off
     *                          before the answer ended is retryable; an event that cannot be read, or
     *                          usage that is not whole numbers of at least zero, is not
     */
    public Completion stream(ChatRequest call, DeltaListener onDelta, CancelSignal cancel) {
        if (cancel.isCancelled()) {
            return new Completion("", 0, 0, null, false, true);
        }
        ObjectNode body = body(call.modelCode(), call.messages(), call.maxTokens());
        body.put("stream", true).putObject("stream_options").put("include_usage", true);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(call.requestUrl()))
                .timeout(Duration.ofSeconds(settings.timeoutSeconds()))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        settings.apiKeyFor(call.factoryName()).ifPresent(key -> request.header("Authorization", "Bearer " + key.reveal()));
        return new StreamedCall(this, call, onDelta, cancel).run(http, request.build());
    }

    LlmSettings settings() {
        return settings;
    }

    ObjectMapper json() {
        return json;
    }

    /** The failure a connection or request error before any answer is, named as {@link #complete} names it. */
    LlmCallException beforeAnswer(String requestUrl, Throwable error) {
        if (error instanceof HttpConnectTimeoutException e) {
            return new LlmCallException("cannot reach the model at " + requestUrl + ": no connection within "
                    + Math.min(10, settings.timeoutSeconds()) + " s", true, e);
        }
        if (error instanceof HttpTimeoutException e) {
            return new LlmCallException("the model at " + requestUrl + " did not answer within "
                    + settings.timeoutSeconds() + " s (ERYAO_LLM__TIMEOUT_SECONDS)", true, e);
        }
        if (error instanceof IOException e) {
            return unreachable(requestUrl, e);
        }
        return new LlmCallException("the call to the model at " + requestUrl + " failed: " + error, true, error);
    }

    /**
     * Names why a connection failed, as a newcomer needs it named: the HTTP client reports an
     * unknown host, a refused connection and a TLS failure all as an IOException, and said
     * "connection refused" for each before.
     */
    static LlmCallException unreachable(String requestUrl, IOException e) {
        String host = URI.create(requestUrl).getHost();
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
                return new LlmCallException("cannot reach the model at " + requestUrl + ": the host " + host
                        + " is not known (DNS)", true, e);
            }
            if (cause instanceof ConnectException) {
                return new LlmCallException("cannot reach the model at " + requestUrl
                        + ": connection refused (is the server running?)", true, e);
            }
            if (cause instanceof SSLException) {
                return new LlmCallException("cannot reach the model at " + requestUrl + ": TLS failed ("
                        + cause.getMessage() + ")", false, e);
            }
        }
        return new LlmCallException("cannot reach the model at " + requestUrl + ": " + e, true, e);
    }

    /** A non-2xx answer: worth retrying when the provider timed out, was busy or failed (408, 429, 5xx). */
    static LlmCallException statusFailure(String requestUrl, int status, String body) {
        boolean retryable = status == 408 || status == 429 || status >= 500;
        return new LlmCallException("the model at " + requestUrl + " answered " + status, abbreviate(body), retryable,
                null);
    }

    /** A whole (not streamed) answer. */
    Completion parse(String requestUrl, int status, String responseBody) {
        if (status / 100 != 2) {
            throw statusFailure(requestUrl, status, responseBody);
        }
        try {
            JsonNode root = json.readTree(responseBody);
            JsonNode content = root.path("choices").path(0).path("message").path("content");
            JsonNode usage = root.path("usage");
            if (!content.isTextual()) {
                throw new LlmCallException("the model at " + requestUrl + " answered without choices[0].message.content",
                        abbreviate(responseBody), false, null);
            }
            checkUsage(requestUrl, usage);
            JsonNode finish = root.path("choices").path(0).path("finish_reason");
            return new Completion(content.asText(), usage.path("prompt_tokens").asInt(),
                    usage.path("completion_tokens").asInt(), finish.isTextual() ? finish.asText() : null, false, false);
        } catch (IOException e) {
            throw new LlmCallException("the model at " + requestUrl + " answered with something that is not JSON",
                    abbreviate(responseBody), false, e);
        }
    }

    /** Refuses a usage object whose token counts are not whole numbers of at least zero. */
    static void checkUsage(String requestUrl, JsonNode usage) {
        JsonNode prompt = usage.path("prompt_tokens");
        JsonNode completion = usage.path("completion_tokens");
        if (!isTokenCount(prompt) || !isTokenCount(completion)) {
            throw new LlmCallException("the model at " + requestUrl + " answered without usable usage figures"
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

    static URI uri(String requestUrl) {
        try {
            return URI.create(requestUrl);
        } catch (IllegalArgumentException e) {
            throw new LlmCallException("the model's request_url is not a URL: " + requestUrl, false, e);
        }
    }

    static String abbreviate(String text) {
        String oneLine = text == null ? "" : text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= ERROR_BODY_CHARS ? oneLine : oneLine.substring(0, ERROR_BODY_CHARS) + "...";
    }
}
