package dev.eryao.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.eryao.provider.ChunkWriter;
import dev.eryao.provider.ToolCall;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible chat-completions server on loopback, written for the tests: the one
 * third-party service that cannot run here. It speaks the real protocol over real HTTP, and each
 * request is answered as the test scripted: an answer with usage, an HTTP error, or a stall until
 * the test releases it. Unscripted requests get the default answer.
 *
 * <p>A request with {@code "stream": true} gets its answer as server-sent events, as OpenAI sends
 * them: a role chunk, one chunk per piece of text, a chunk with {@code finish_reason}, the usage
 * chunk ({@code choices: []}) when there is usage to report, then {@code data: [DONE]}. An
 * {@link Answer} is streamed word by word; {@link Streamed}, {@link StreamThenDie} and
 * {@link RawStream} script the stream itself; {@link Flood} and {@link Endless} are hostile providers
 * that send far more than any output cap allows. A write that fails because the client has closed
 * the connection is counted ({@link #awaitClientClosedStream}), so a test can prove a call was aborted.
 */
public final class FakeLlmServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How one request is answered. */
    public sealed interface Reply
            permits Answer,
                    Failure,
                    Stall,
                    Streamed,
                    StreamThenDie,
                    RawStream,
                    Unstreamed,
                    HangUp,
                    TemplateCounted,
                    Flood,
                    Endless,
                    CallsTools {}

    public record Answer(String content, int promptTokens, int completionTokens) implements Reply {}

    public record Failure(int status, String body) implements Reply {}

    /** Holds the request until {@code release} opens, then answers with {@code then}. */
    public record Stall(CountDownLatch release, Reply then) implements Reply {}

    /**
     * A streamed answer: {@code pieces} as deltas, {@code gap} apart, then the usage chunk (none when
     * the counts are null) and [DONE]. With {@code holdAfterFirst}, the rest waits until it opens, so a
     * test can see the first delta arrive while the server still holds the others.
     */
    public record Streamed(
            List<String> pieces,
            Duration gap,
            Integer promptTokens,
            Integer completionTokens,
            CountDownLatch holdAfterFirst)
            implements Reply {
        public Streamed(List<String> pieces, Duration gap, Integer promptTokens, Integer completionTokens) {
            this(pieces, gap, promptTokens, completionTokens, null);
        }
    }

    /** Streams {@code pieces}, {@code gap} apart, then drops the connection: no finish, no usage, no [DONE]. */
    public record StreamThenDie(List<String> pieces, Duration gap) implements Reply {}

    /** A 200 {@code text/event-stream} whose body is {@code lines}, each sent as given followed by a newline. */
    public record RawStream(List<String> lines) implements Reply {}

    /** {@code answer} whole, as {@code application/json}, even to a request that asked for a stream. */
    public record Unstreamed(Answer answer) implements Reply {}

    /**
     * {@code content}, with the prompt counted as Ollama counts it: its chat template wraps every
     * message in header tokens and puts a system header of its own ({@code templateTokens}) in
     * front of the conversation, so a short prompt counts more tokens than its bytes.
     */
    public record TemplateCounted(String content, int templateTokens) implements Reply {
        /** Llama 3's template: a header (about 4 tokens) around each message, then the text in tokens of about 4 bytes. */
        int promptTokens(JsonNode request) {
            int tokens = templateTokens;
            for (JsonNode message : request.path("messages")) {
                tokens += 4 + (message.path("content").asText().getBytes(StandardCharsets.UTF_8).length + 3) / 4;
            }
            return tokens;
        }
    }

    /** Closes the connection without answering at all: a kept-alive connection closed as it was reused. */
    public record HangUp() implements Reply {}

    /**
     * A streamed answer of {@code piece} over and over, {@code textBytes} of it, then a finish, honest
     * looking usage and [DONE]: what a provider that ignores {@code max_tokens} sends, small usage and all.
     */
    public record Flood(String piece, long textBytes, int promptTokens, int completionTokens) implements Reply {}

    /**
     * {@code status} with {@code contentType}, and a body of {@code head} then {@code repeated} over and
     * over until the client closes the connection. {@code guardBytes} ends it all the same, so that a
     * client which reads everything fails its test instead of running the test JVM out of memory.
     */
    public record Endless(int status, String contentType, String head, String repeated, long guardBytes)
            implements Reply {}

    /**
     * An answer that asks for {@code calls}: {@code text} first (none when empty), then the calls'
     * pieces as OpenAI streams them — each call's id and name in its first piece, its arguments in
     * fragments of {@code fragmentChars} — interleaved across the calls (a piece of each in turn),
     * so that only assembling by index gets them right; then {@code finish_reason: "tool_calls"},
     * the usage chunk (none when the counts are null) and [DONE]. Whole (not streamed) when the
     * request did not ask for a stream. With {@code holdAfterFirst}, the stream waits after its
     * first piece until it opens.
     */
    public record CallsTools(
            String text,
            List<ToolCall> calls,
            int fragmentChars,
            Integer promptTokens,
            Integer completionTokens,
            CountDownLatch holdAfterFirst)
            implements Reply {
        public CallsTools(List<ToolCall> calls, Integer promptTokens, Integer completionTokens) {
            this("", calls, 5, promptTokens, completionTokens, null);
        }
    }

    /** A request as received: its JSON body and its Authorization header. */
    public record Received(JsonNode body, String authorization) {}

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstRequest = new CountDownLatch(1);
    private final CountDownLatch clientClosedStream = new CountDownLatch(1);
    private final CountDownLatch firstPieceSent = new CountDownLatch(1);
    private final AtomicInteger clientClosedStreams = new AtomicInteger();
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

    /**
     * Waits (bounded) until a streamed reply's write has failed because the client closed the
     * connection: proof that a client stopped reading and let the connection go.
     */
    public boolean awaitClientClosedStream(long seconds) throws InterruptedException {
        return clientClosedStream.await(seconds, TimeUnit.SECONDS);
    }

    /**
     * Waits (bounded) until a streamed reply has written its first piece of text: the model is then
     * mid-answer (with {@link Streamed#holdAfterFirst()}, it stays so until the test releases it).
     */
    public boolean awaitFirstPieceSent(long seconds) throws InterruptedException {
        return firstPieceSent.await(seconds, TimeUnit.SECONDS);
    }

    /** How many streamed replies the clients cut off by closing their connection. */
    public int clientClosedStreams() {
        return clientClosedStreams.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** Thrown to drop a connection mid-stream: the server then closes the socket without ending the body. */
    private static final class Die extends IOException {
        Die() {
            super("the fake model dropped the connection, as scripted");
        }
    }

    /** The client closed the connection while a stream was being written to it. */
    private static final class ClientGone extends Exception {}

    private void handle(HttpExchange exchange) throws IOException {
        boolean end = true;
        try {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            received.add(new Received(body, exchange.getRequestHeaders().getFirst("Authorization")));
            firstRequest.countDown();
            Reply reply = script.poll();
            reply(exchange, body, reply == null ? defaultReply : reply);
        } catch (Die e) {
            end = false; // leave the body unended: the HTTP server closes the socket as it is
            throw e;
        } catch (ClientGone e) {
            clientClosedStreams.incrementAndGet();
            clientClosedStream.countDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (end) {
                try {
                    exchange.close();
                } catch (RuntimeException ignored) {
                    // the client has gone; nothing to end
                }
            }
        }
    }

    private void reply(HttpExchange exchange, JsonNode request, Reply reply)
            throws IOException, InterruptedException, ClientGone {
        boolean streaming = request.path("stream").asBoolean(false);
        switch (reply) {
            case Stall stall -> {
                stall.release().await();
                reply(exchange, request, stall.then());
            }
            case Failure failure -> send(exchange, failure.status(), failure.body());
            case Answer answer
            when streaming ->
                stream(
                        exchange,
                        request,
                        new Streamed(
                                words(answer.content()),
                                Duration.ZERO,
                                answer.promptTokens(),
                                answer.completionTokens()));
            case Answer answer -> send(exchange, 200, completion(request, answer));
            case Unstreamed whole -> send(exchange, 200, completion(request, whole.answer()));
            case Streamed streamed -> stream(exchange, request, streamed);
            case HangUp hangUp -> throw new Die();
            case TemplateCounted counted ->
                reply(
                        exchange,
                        request,
                        new Answer(
                                counted.content(),
                                counted.promptTokens(request),
                                words(counted.content()).size()));
            case StreamThenDie dying -> {
                OutputStream out = startStream(exchange);
                pieces(out, writer(request, false), dying.pieces(), dying.gap(), null);
                throw new Die();
            }
            case RawStream raw -> {
                OutputStream out = startStream(exchange);
                for (String line : raw.lines()) {
                    write(out, line + "\n");
                }
            }
            case Flood flood -> flood(exchange, request, flood);
            case CallsTools calls when streaming -> callTools(exchange, request, calls);
            case CallsTools calls ->
                send(
                        exchange,
                        200,
                        writer(request, false)
                                .wholeToolCalls(
                                        calls.calls(),
                                        calls.promptTokens() == null ? 0 : calls.promptTokens(),
                                        calls.completionTokens() == null ? 0 : calls.completionTokens()));
            case Endless endless -> endless(exchange, endless);
        }
    }

    private void callTools(HttpExchange exchange, JsonNode request, CallsTools script)
            throws InterruptedException, ClientGone {
        OutputStream out = startStream(exchange);
        boolean usage = script.promptTokens() != null || script.completionTokens() != null;
        ChunkWriter writer = writer(request, usage);
        write(out, writer.role());
        if (!script.text().isEmpty()) {
            write(out, writer.delta(script.text()));
        }
        List<List<String>> fragments = new ArrayList<>();
        for (ToolCall call : script.calls()) {
            List<String> pieces = new ArrayList<>();
            String arguments = call.argumentsJson();
            for (int at = 0; at < arguments.length(); at += script.fragmentChars()) {
                pieces.add(arguments.substring(at, Math.min(arguments.length(), at + script.fragmentChars())));
            }
            fragments.add(pieces);
        }
        for (int i = 0; i < script.calls().size(); i++) {
            write(
                    out,
                    writer.toolCallDelta(
                            i, script.calls().get(i).id(), script.calls().get(i).name(), ""));
            firstPieceSent.countDown();
            if (i == 0
                    && script.holdAfterFirst() != null
                    && !script.holdAfterFirst().await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the stream");
            }
        }
        while (fragments.stream().anyMatch(pieces -> !pieces.isEmpty())) {
            for (int i = 0; i < fragments.size(); i++) {
                if (!fragments.get(i).isEmpty()) {
                    write(
                            out,
                            writer.toolCallDelta(i, null, null, fragments.get(i).removeFirst()));
                }
            }
        }
        write(out, writer.finish("tool_calls"));
        if (usage) {
            write(out, writer.usage(script.promptTokens(), script.completionTokens()));
        }
        write(out, ChunkWriter.done());
    }

    private void flood(HttpExchange exchange, JsonNode request, Flood flood) throws ClientGone {
        OutputStream out = startStream(exchange);
        ChunkWriter writer = writer(request, false);
        byte[] event = writer.delta(flood.piece()).getBytes(StandardCharsets.UTF_8);
        long pieceBytes = flood.piece().getBytes(StandardCharsets.UTF_8).length;
        for (long sent = 0; sent < flood.textBytes(); sent += pieceBytes) {
            write(out, event);
            firstPieceSent.countDown();
        }
        write(out, writer.finish("stop"));
        write(out, writer.usage(flood.promptTokens(), flood.completionTokens()));
        write(out, ChunkWriter.done());
    }

    private static void endless(HttpExchange exchange, Endless endless) throws ClientGone {
        exchange.getResponseHeaders().add("Content-Type", endless.contentType());
        try {
            exchange.sendResponseHeaders(endless.status(), 0);
        } catch (IOException e) {
            throw new ClientGone();
        }
        OutputStream out = exchange.getResponseBody();
        write(out, endless.head().getBytes(StandardCharsets.UTF_8));
        // Written in blocks of many repetitions: one write per repetition would crawl.
        byte[] block = endless.repeated()
                .repeat(Math.max(1, 65_536 / endless.repeated().length()))
                .getBytes(StandardCharsets.UTF_8);
        for (long sent = 0; sent < endless.guardBytes(); sent += block.length) {
            write(out, block);
        }
    }

    /** {@code text} cut after each space, as a provider's tokens often fall. */
    private static List<String> words(String text) {
        return Arrays.asList(text.split("(?<= )"));
    }

    private void stream(HttpExchange exchange, JsonNode request, Streamed streamed)
            throws IOException, InterruptedException, ClientGone {
        OutputStream out = startStream(exchange);
        boolean usage = streamed.promptTokens() != null || streamed.completionTokens() != null;
        ChunkWriter writer = writer(request, usage);
        pieces(out, writer, streamed.pieces(), streamed.gap(), streamed.holdAfterFirst());
        write(out, writer.finish("stop"));
        if (usage) {
            write(out, writer.usage(streamed.promptTokens(), streamed.completionTokens()));
        }
        write(out, ChunkWriter.done());
    }

    private static OutputStream startStream(HttpExchange exchange) throws ClientGone {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().add("Cache-Control", "no-cache");
        try {
            exchange.sendResponseHeaders(200, 0);
        } catch (IOException e) {
            throw new ClientGone();
        }
        return exchange.getResponseBody();
    }

    /** The role chunk, then a chunk per piece. */
    private void pieces(
            OutputStream out, ChunkWriter writer, List<String> pieces, Duration gap, CountDownLatch holdAfterFirst)
            throws InterruptedException, ClientGone {
        write(out, writer.role());
        for (int i = 0; i < pieces.size(); i++) {
            if (i > 0 && !gap.isZero()) {
                Thread.sleep(gap);
            }
            write(out, writer.delta(pieces.get(i)));
            firstPieceSent.countDown();
            if (i == 0 && holdAfterFirst != null && !holdAfterFirst.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the stream");
            }
        }
    }

    /** With {@code usage}, every chunk before the usage chunk says {@code "usage": null}, as OpenAI's do. */
    private static ChunkWriter writer(JsonNode request, boolean usage) {
        return new ChunkWriter("chatcmpl-test", request.path("model").asText(), usage);
    }

    private static void write(OutputStream out, String text) throws ClientGone {
        write(out, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void write(OutputStream out, byte[] bytes) throws ClientGone {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new ClientGone();
        }
    }

    private static String completion(JsonNode request, Answer answer) {
        return writer(request, false).whole(answer.content(), "stop", answer.promptTokens(), answer.completionTokens());
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
