package dev.eryao.support;

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
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An OpenAI-compatible chat-completions server on loopback, written for the tests: the one
 * third-party service that cannot run here. It speaks the real protocol over real HTTP, and each
 * request is answered as the test scripted: an answer with usage, an HTTP error, or a stall until
 * the test releases it. Unscripted requests get the default answer.
 */
public final class FakeLlmServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How one request is answered. */
    public sealed interface Reply permits Answer, Failure, Stall {
    }

    public record Answer(String content, int promptTokens, int completionTokens) implements Reply {
    }

    public record Failure(int status, String body) implements Reply {
    }

    /** Holds the request until {@code release} opens, then answers with {@code then}. */
    public record Stall(CountDownLatch release, Reply then) implements Reply {
    }

    /** A request as received: its JSON body and its Authorization header. */
    public record Received(JsonNode body, String authorization) {
    }

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstRequest = new CountDownLatch(1);
    private volatile Reply defaultReply = new Answer("Hello from the fake model.", 1000, 500);

    public FakeLlmServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake LLM server", e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    /** The {@code request_url} a model in the catalog points at. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/chat/completions";
    }

    /** Answers the next requests, in order, as given; after them, the default. */
    public FakeLlmServer then(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    public FakeLlmServer byDefault(Reply reply) {
        this.defaultReply = reply;
        return this;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Waits (bounded) until a request has arrived. */
    public boolean awaitFirstRequest(long seconds) throws InterruptedException {
        return firstRequest.await(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            received.add(new Received(body, exchange.getRequestHeaders().getFirst("Authorization")));
            firstRequest.countDown();
            Reply reply = script.poll();
            reply(exchange, body, reply == null ? defaultReply : reply);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reply(HttpExchange exchange, JsonNode request, Reply reply) throws IOException, InterruptedException {
        switch (reply) {
            case Stall stall -> {
                stall.release().await();
                reply(exchange, request, stall.then());
            }
            case Failure failure -> send(exchange, failure.status(), failure.body());
            case Answer answer -> send(exchange, 200, completion(request, answer));
        }
    }

    private static String completion(JsonNode request, Answer answer) {
        ObjectNode root = JSON.createObjectNode().put("id", "chatcmpl-test").put("object", "chat.completion")
                .put("model", request.path("model").asText());
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", answer.content());
        root.putObject("usage").put("prompt_tokens", answer.promptTokens())
                .put("completion_tokens", answer.completionTokens())
                .put("total_tokens", answer.promptTokens() + answer.completionTokens());
        return root.toString();
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
