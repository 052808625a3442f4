package dev.eryao.llm;

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
 * {@code choices[0].message.content} and {@code usage}. A response without usage figures, or with
 * token counts that are not whole numbers of at least zero, is refused: a run must be priced, and
 * what a provider reports must never turn into a credit.
 */
public final class ChatCompletionsClient {
    private static final int ERROR_BODY_CHARS = 300;

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
                .POST(HttpRequest.BodyPublishers.ofString(body(modelCode, messages, maxTokens)));
        settings.apiKeyFor(factoryName).ifPresent(key -> request.header("Authorization", "Bearer " + key.reveal()));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException e) {
            throw new LlmCallException("cannot reach the model at " + requestUrl + ": no connection within "
                    + Math.min(10, settings.timeoutSeconds()) + " s", true, e);
        } catch (HttpTimeoutException e) {
            throw new LlmCallException("the model at " + requestUrl + " did not answer within "
                    + settings.timeoutSeconds() + " s (ERYAO_LLM__TIMEOUT_SECONDS)", true, e);
        } catch (IOException e) {
            throw unreachable(requestUrl, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmCallException("interrupted while waiting for the model", true, e);
        }
        return parse(requestUrl, response);
    }

    /**
     * Names why a connection failed, as a newcomer needs it named: the HTTP client reports an
     * unknown host, a refused connection and a TLS failure all as an IOException, and said
     * "connection refused" for each before.
     */
    private static LlmCallException unreachable(String requestUrl, IOException e) {
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

    private Completion parse(String requestUrl, HttpResponse<String> response) {
        int status = response.statusCode();
        if (status / 100 != 2) {
            boolean retryable = status == 408 || status == 429 || status >= 500;
            throw new LlmCallException("the model at " + requestUrl + " answered " + status,
                    abbreviate(response.body()), retryable, null);
        }
        try {
            JsonNode root = json.readTree(response.body());
            JsonNode content = root.path("choices").path(0).path("message").path("content");
            JsonNode usage = root.path("usage");
            if (!content.isTextual()) {
                throw new LlmCallException("the model at " + requestUrl + " answered without choices[0].message.content",
                        abbreviate(response.body()), false, null);
            }
            JsonNode prompt = usage.path("prompt_tokens");
            JsonNode completion = usage.path("completion_tokens");
            if (!isTokenCount(prompt) || !isTokenCount(completion)) {
                throw new LlmCallException("the model at " + requestUrl + " answered without usable usage figures"
                        + " (prompt_tokens " + describe(prompt) + ", completion_tokens " + describe(completion)
                        + "; each must be a whole number of at least 0)", false, null);
            }
            return new Completion(content.asText(), prompt.asInt(), completion.asInt());
        } catch (IOException e) {
            throw new LlmCallException("the model at " + requestUrl + " answered with something that is not JSON",
                    abbreviate(response.body()), false, e);
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

    private String body(String modelCode, List<ChatMessage> messages, int maxTokens) {
        ObjectNode body = json.createObjectNode().put("model", modelCode).put("max_tokens", maxTokens);
        ArrayNode list = body.putArray("messages");
        messages.forEach(message -> list.addObject().put("role", message.role()).put("content", message.content()));
        return body.toString();
    }

    private static URI uri(String requestUrl) {
        try {
            return URI.create(requestUrl);
        } catch (IllegalArgumentException e) {
            throw new LlmCallException("the model's request_url is not a URL: " + requestUrl, false, e);
        }
    }

    private static String abbreviate(String text) {
        String oneLine = text == null ? "" : text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= ERROR_BODY_CHARS ? oneLine : oneLine.substring(0, ERROR_BODY_CHARS) + "...";
    }
}
