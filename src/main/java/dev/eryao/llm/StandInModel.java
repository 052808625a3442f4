package dev.eryao.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A stand-in for a model provider on loopback ({@code eryao stand-in}): it speaks the
 * OpenAI-compatible chat-completions protocol — whole answers, and {@code stream: true} as
 * server-sent events ending in {@code [DONE]} — and answers every request by echoing its last
 * message, with usage counted as a quarter of the bytes. For a first run without a provider's key,
 * and for demonstrations; it is not a model.
 */
public final class StandInModel implements AutoCloseable {
    public static final int DEFAULT_PORT = 11434;
    public static final String PATH = "/v1/chat/completions";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;

    private StandInModel(HttpServer server) {
        this.server = server;
    }

    /** Listens on {@code 127.0.0.1:port} (0: any free port). */
    public static StandInModel start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        StandInModel model = new StandInModel(server);
        server.createContext(PATH, model::handle);
        server.start();
        return model;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port() + PATH;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "{\"error\":{\"message\":\"POST a chat completion request\"}}");
                return;
            }
            JsonNode request;
            try {
                request = JSON.readTree(exchange.getRequestBody());
            } catch (IOException e) {
                send(exchange, 400, "{\"error\":{\"message\":\"the body is not JSON\"}}");
                return;
            }
            JsonNode messages = request.path("messages");
            String last = messages.isArray() && !messages.isEmpty()
                    ? messages.get(messages.size() - 1).path("content").asText("") : "";
            String answer = "(stand-in) You said: " + last;
            int maxTokens = request.path("max_tokens").asInt(Integer.MAX_VALUE);
            if (answer.length() / 4 > maxTokens) {
                answer = answer.substring(0, Math.max(0, maxTokens * 4));
            }
            int prompt = Math.max(1, bytes(messages.toString()) / 4);
            int completion = Math.max(1, bytes(answer) / 4);
            if (request.path("stream").asBoolean(false)) {
                stream(exchange, request, answer, prompt, completion);
            } else {
                send(exchange, 200, whole(request, answer, prompt, completion).toString());
            }
        }
    }

    private static ObjectNode whole(JsonNode request, String answer, int prompt, int completion) {
        ObjectNode root = JSON.createObjectNode().put("id", "chatcmpl-stand-in").put("object", "chat.completion")
                .put("model", request.path("model").asText());
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", answer);
        usage(root, prompt, completion);
        return root;
    }

    /** Word by word, as a provider streams; the last chunk carries the usage. */
    private static void stream(HttpExchange exchange, JsonNode request, String answer, int prompt, int completion)
            throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (String word : answer.split("(?<= )")) {
                ObjectNode chunk = chunk(request);
                chunk.withArray("choices").addObject().put("index", 0).putObject("delta").put("content", word);
                event(out, chunk.toString());
            }
            ObjectNode last = chunk(request);
            last.withArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("delta");
            event(out, last.toString());
            ObjectNode usage = chunk(request);
            usage.putArray("choices");
            usage(usage, prompt, completion);
            event(out, usage.toString());
            event(out, "[DONE]");
        }
    }

    private static ObjectNode chunk(JsonNode request) {
        return JSON.createObjectNode().put("id", "chatcmpl-stand-in").put("object", "chat.completion.chunk")
                .put("model", request.path("model").asText());
    }

    private static void usage(ObjectNode root, int prompt, int completion) {
        root.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
