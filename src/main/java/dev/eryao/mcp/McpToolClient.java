package dev.eryao.mcp;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Lists and calls the tools of registered MCP servers over streamable HTTP, with the official MCP
 * Java SDK's client. Each listing or call is one MCP session of its own — handshake, request,
 * close — so nothing a server did to an earlier call (a restart, a lost session, a half-read
 * answer) can reach a later one; the sessions share one HTTP client, and so its pooled connections.
 *
 * <p>Everything is bounded: a listing or a call, handshake included, ends within the call timeout;
 * a message read is at most {@link #maxMessageBytes}; a result kept for the model at most the
 * result bound (cut and marked beyond it, see {@link ResultText}); a listing at most
 * {@link #MAX_PAGES} pages and {@link #MAX_TOOLS} tools. A call never throws for what the server
 * does: down, slow, garbage, a JSON-RPC error, a result marked {@code isError} are all an error
 * answer naming the server and what happened. Only the endpoint's URL is fetched — redirects are not
 * followed — and the secret header goes only there.
 */
public final class McpToolClient implements AutoCloseable {
    /** More pages than this is a server paging without end. */
    public static final int MAX_PAGES = 100;
    /** More tools than any model can be offered at once. */
    public static final int MAX_TOOLS = 1_000;
    /** The longest piece of a server's own words (an error message) quoted back. */
    static final int MAX_QUOTED_CHARS = 500;

    private static final TypeRef<Map<String, Object>> ARGUMENTS = new TypeRef<>() {};
    private static final McpSchema.Implementation CLIENT_INFO = new McpSchema.Implementation("eryao", "1");

    private final Duration timeout;
    private final int maxMessageBytes;
    private final ResultText results;
    private final McpJsonMapper json = McpJsonDefaults.getMapper();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;

    /**
     * @param timeout        the longest a listing or a call may take, handshake included
     * @param maxResultBytes the most bytes of a result kept for the model
     */
    public McpToolClient(Duration timeout, int maxResultBytes) {
        this.timeout = timeout;
        // An answer is JSON: escaping may take a result's bytes up to six times ("\u00e9"), and
        // the envelope adds a little. A message beyond this is refused before it is kept.
        this.maxMessageBytes = (int) Math.min(Integer.MAX_VALUE - 8, 8L * maxResultBytes + 64 * 1024);
        this.results = new ResultText(json, maxResultBytes);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .executor(executor)
                .build();
    }

    /**
     * Every tool the server lists, following {@code nextCursor} through its pages.
     *
     * @throws McpUnavailableException the server could not be listed; the message names it and why
     */
    public List<ListedTool> list(McpEndpoint endpoint) throws McpUnavailableException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Session session = open(endpoint)) {
            List<ListedTool> tools = new ArrayList<>();
            Set<String> cursors = new HashSet<>();
            String cursor = null;
            for (int page = 0; page < MAX_PAGES; page++) {
                McpSchema.ListToolsResult result = session.await(session.client.listTools(cursor), deadline, null);
                if (result == null || result.tools() == null) {
                    throw new CallFailure("answered tools/list without a list of tools");
                }
                for (McpSchema.Tool tool : result.tools()) {
                    tools.add(listed(tool));
                }
                if (tools.size() > MAX_TOOLS) {
                    throw new CallFailure("lists more than " + MAX_TOOLS + " tools");
                }
                cursor = result.nextCursor();
                if (cursor == null || cursor.isEmpty()) {
                    return List.copyOf(tools);
                }
                if (!cursors.add(cursor)) {
                    throw new CallFailure("gave a page cursor it had given before (its pages never end)");
                }
            }
            throw new CallFailure("lists more than " + MAX_PAGES + " pages of tools");
        } catch (CallFailure failure) {
            throw new McpUnavailableException(
                    "MCP server '" + endpoint.server() + "' could not be listed: " + failure.getMessage());
        } catch (RuntimeException unexpected) {
            // The SDK refusing something of ours (a URL it cannot use): the server is unusable, not the caller.
            throw new McpUnavailableException("MCP server '" + endpoint.server()
                    + "' could not be listed: the client could not make the request ("
                    + Failures.quoted(unexpected.getMessage(), endpoint) + ")");
        }
    }

    /**
     * Calls {@code tool} with {@code argumentsJson} (a JSON object). Never throws: what went wrong is
     * an error answer.
     *
     * @param onCancel registers an action that cuts the call short when the caller cancels it, and
     *     returns what unregisters it ({@code dev.eryao.provider.CancelSignal#onCancel} fits)
     */
    public McpToolAnswer call(
            McpEndpoint endpoint, String tool, String argumentsJson, Function<Runnable, Runnable> onCancel) {
        String failed = "the call of tool '" + tool + "' on MCP server '" + endpoint.server() + "' failed: ";
        Map<String, Object> arguments;
        try {
            arguments = argumentsJson == null || argumentsJson.isBlank()
                    ? Map.of()
                    : json.readValue(argumentsJson, ARGUMENTS);
        } catch (IOException | RuntimeException e) {
            return McpToolAnswer.failed(failed + "its arguments are not a JSON object");
        }
        if (arguments == null) {
            return McpToolAnswer.failed(failed + "its arguments are not a JSON object");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Session session = open(endpoint)) {
            McpSchema.CallToolResult result = session.await(
                    session.client.callTool(new McpSchema.CallToolRequest(tool, arguments)), deadline, onCancel);
            if (result == null) {
                return McpToolAnswer.failed(failed + "it answered tools/call without a result");
            }
            String text = results.of(result);
            if (Boolean.TRUE.equals(result.isError())) {
                return McpToolAnswer.failed(
                        "tool '" + tool + "' of MCP server '" + endpoint.server() + "' reported an error: " + text);
            }
            return new McpToolAnswer(text, false);
        } catch (CallFailure failure) {
            return McpToolAnswer.failed(failed + failure.getMessage());
        } catch (RuntimeException unexpected) {
            // The SDK refusing something of ours (a URL it cannot use): still the model's error result.
            return McpToolAnswer.failed(failed + "the client could not make the call ("
                    + Failures.quoted(unexpected.getMessage(), endpoint) + ")");
        }
    }

    private static ListedTool listed(McpSchema.Tool tool) throws CallFailure {
        if (tool.name() == null || tool.name().isBlank()) {
            throw new CallFailure("listed a tool without a name");
        }
        Map<String, Object> schema = tool.inputSchema() == null ? Map.of("type", "object") : tool.inputSchema();
        try {
            return new ListedTool(
                    tool.name(),
                    tool.description() == null ? "" : tool.description(),
                    McpJsonDefaults.getMapper().writeValueAsString(schema));
        } catch (IOException e) {
            throw new CallFailure("listed tool '" + tool.name() + "' with an input schema that is not JSON");
        }
    }

    private Session open(McpEndpoint endpoint) throws CallFailure {
        URI uri;
        try {
            uri = URI.create(endpoint.url());
        } catch (IllegalArgumentException e) {
            throw new CallFailure("its URL is not one the client can use");
        }
        CompletableFuture<Void> failed = new CompletableFuture<>();
        HttpRequest.Builder requests = HttpRequest.newBuilder().timeout(timeout);
        HttpClientStreamableHttpTransport http = HttpClientStreamableHttpTransport.builder(uri.toString())
                .endpoint(uri.toString())
                .clientBuilder(new SharedHttpClient(this.http))
                .requestBuilder(requests)
                .jsonMapper(json)
                .maxResponseSize(maxMessageBytes)
                .httpRequestCustomizer((builder, method, target, body, context) -> {
                    if ("GET".equals(method)) {
                        throw new WatchedTransport.NoServerStream();
                    }
                    if (endpoint.headerName() != null) {
                        builder.header(
                                endpoint.headerName(), endpoint.headerValue().reveal());
                    }
                })
                .build();
        WatchedTransport transport = new WatchedTransport(http, failed::completeExceptionally);
        McpAsyncClient client = McpClient.async(transport)
                .clientInfo(CLIENT_INFO)
                .capabilities(McpSchema.ClientCapabilities.builder().build())
                .requestTimeout(timeout)
                .initializationTimeout(timeout)
                .build();
        return new Session(endpoint, client, failed);
    }

    /** Stops at once: what is still in flight (a session's closing DELETE to a slow server) is dropped. */
    @Override
    public void close() {
        http.shutdownNow();
        executor.shutdownNow();
    }

    /** A failure of one listing or call, in words naming what the server did. */
    static final class CallFailure extends Exception {
        CallFailure(String message) {
            super(message, null, false, false);
        }
    }

    /** One MCP session: the SDK's client over a watched transport; closing it ends the session. */
    private final class Session implements AutoCloseable {
        private final McpEndpoint endpoint;
        private final McpAsyncClient client;
        private final CompletableFuture<Void> failed;

        Session(McpEndpoint endpoint, McpAsyncClient client, CompletableFuture<Void> failed) {
            this.endpoint = endpoint;
            this.client = client;
            this.failed = failed;
        }

        /**
         * The value of {@code work}, waiting at most until {@code deadline} (System.nanoTime), or
         * until the transport fails, or until the caller cancels.
         */
        <T> T await(Mono<T> work, long deadline, Function<Runnable, Runnable> onCancel) throws CallFailure {
            CompletableFuture<T> outcome = new CompletableFuture<>();
            failed.whenComplete((ignored, failure) -> {
                if (failure != null) {
                    outcome.completeExceptionally(failure);
                }
            });
            Disposable running =
                    work.subscribe(outcome::complete, outcome::completeExceptionally, () -> outcome.complete(null));
            Runnable unhook = onCancel == null
                    ? () -> {}
                    : onCancel.apply(() -> outcome.completeExceptionally(new Failures.Cancelled()));
            try {
                long left = deadline - System.nanoTime();
                return outcome.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new CallFailure("it did not answer within " + Failures.seconds(timeout));
            } catch (ExecutionException e) {
                throw new CallFailure(Failures.describe(e.getCause(), endpoint, timeout));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CallFailure("the call was interrupted");
            } finally {
                unhook.run();
                running.dispose();
            }
        }

        @Override
        public void close() {
            // Ends the session (a DELETE, bounded by the request timeout) and drops its connections,
            // without waiting: a slow server cannot hold the caller here.
            client.close();
        }
    }
}
