package dev.eryao.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * A stand-in for a model provider on loopback ({@code eryao stand-in}): it speaks the
 * OpenAI-compatible chat-completions protocol — whole answers, and {@code stream: true} as
 * server-sent events ending in {@code [DONE]} — and answers every request by echoing its last
 * message, with usage counted as a quarter of the bytes. Offered tools, it calls those its last
 * message asks for ({@code call <tool> <JSON object>}) and then quotes their results
 * ({@link StandInToolCalls}). For a first run without a provider's key,
 * and for demonstrations; it is not a model.
 *
 * <p>A stream is what OpenAI sends and {@link ChatCompletionsClient#stream} reads, written by
 * {@link ChunkWriter}: a role chunk, a chunk per word (spaced by a short pause, so a stream watched
 * in a terminal is seen being written), a chunk with {@code finish_reason}, and — only when the
 * request asks for it with {@code stream_options.include_usage}, as OpenAI does — a usage chunk
 * with {@code choices: []}, every earlier chunk then saying {@code "usage": null}; then
 * {@code data: [DONE]}.
 */
public final class StandInModel implements AutoCloseable {
    public static final int DEFAULT_PORT = 11434;
    public static final String PATH = "/v1/chat/completions";
    /** The pause between streamed words: enough to see the answer being written, short enough not to wait on. */
    public static final Duration DEFAULT_WORD_GAP = Duration.ofMillis(40);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Duration wordGap;
    private final StandInToolCalls tools = new StandInToolCalls(JSON);

    private StandInModel(HttpServer server, Duration wordGap) {
        this.server = server;
        this.wordGap = wordGap;
    }

    /** Listens on {@code 127.0.0.1:port} (0: any free port). */
    public static StandInModel start(int port) throws IOException {
        return start(port, DEFAULT_WORD_GAP);
    }

    /** Listens on {@code 127.0.0.1:port} (0: any free port), streaming words {@code wordGap} apart. */
    public static StandInModel start(int port, Duration wordGap) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        StandInModel model = new StandInModel(server, wordGap);
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
            boolean includeUsage =
                    request.path("stream_options").path("include_usage").asBoolean(false);
            ChunkWriter writer =
                    new ChunkWriter("chatcmpl-stand-in", request.path("model").asText(), includeUsage);
            int prompt = Math.max(1, bytes(messages.toString()) / 4);
            List<ToolCall> calls = tools.asked(request);
            if (!calls.isEmpty()) {
                int written = 0;
                for (ToolCall call : calls) {
                    written += bytes(call.name()) + bytes(call.argumentsJson());
                }
                int completion = Math.max(1, written / 4);
                if (request.path("stream").asBoolean(false)) {
                    streamCalls(exchange, writer, calls, includeUsage ? writer.usage(prompt, completion) : null);
                } else {
                    send(exchange, 200, writer.wholeToolCalls(calls, prompt, completion));
                }
                return;
            }
            String quoted = tools.quoted(request);
            String last = messages.isArray() && !messages.isEmpty()
                    ? messages.get(messages.size() - 1).path("content").asText("")
                    : "";
            String answer = quoted != null ? quoted : "(stand-in) You said: " + last;
            int maxTokens = request.path("max_tokens").asInt(Integer.MAX_VALUE);
            String finish = "stop";
            if (answer.length() / 4 > maxTokens) {
                answer = answer.substring(0, Math.max(0, maxTokens * 4));
                finish = "length";
            }
            int completion = Math.max(1, bytes(answer) / 4);
            if (request.path("stream").asBoolean(false)) {
                stream(exchange, writer, answer, finish, includeUsage ? writer.usage(prompt, completion) : null);
            } else {
                send(exchange, 200, writer.whole(answer, finish, prompt, completion));
            }
        }
    }

    /** Word by word, as a provider streams; {@code usageChunk} last, when it was asked for (else null). */
    private void stream(HttpExchange exchange, ChunkWriter writer, String answer, String finish, String usageChunk)
            throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().add("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            write(out, writer.role());
            boolean first = true;
            for (String word : answer.split("(?<= )")) {
                if (!first) {
                    pause();
                }
                first = false;
                write(out, writer.delta(word));
            }
            write(out, writer.finish(finish));
            if (usageChunk != null) {
                write(out, usageChunk);
            }
            write(out, ChunkWriter.done());
        }
    }

    /** Tool calls as OpenAI streams them: id and name first, then the arguments in fragments, then {@code tool_calls}. */
    private void streamCalls(HttpExchange exchange, ChunkWriter writer, List<ToolCall> calls, String usageChunk)
            throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().add("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            write(out, writer.role());
            for (int index = 0; index < calls.size(); index++) {
                ToolCall call = calls.get(index);
                write(out, writer.toolCallDelta(index, call.id(), call.name(), ""));
                for (String fragment : StandInToolCalls.fragments(call.argumentsJson())) {
                    pause();
                    write(out, writer.toolCallDelta(index, null, null, fragment));
                }
            }
            write(out, writer.finish("tool_calls"));
            if (usageChunk != null) {
                write(out, usageChunk);
            }
            write(out, ChunkWriter.done());
        }
    }

    private void pause() throws IOException {
        if (wordGap.isZero()) {
            return;
        }
        try {
            Thread.sleep(wordGap);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("stopped while streaming", e);
        }
    }

    private static void write(OutputStream out, String event) throws IOException {
        out.write(event.getBytes(StandardCharsets.UTF_8));
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
