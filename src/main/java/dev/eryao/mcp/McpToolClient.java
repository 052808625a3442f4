package dev.eryao.mcp;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpTransportSessionNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Lists and calls the tools of registered MCP servers over streamable HTTP, with the official MCP
 * Java SDK's client. An MCP session is opened for a server once and kept for later listings and
 * calls, of any run, so that a call is one HTTP exchange rather than three ({@code initialize},
 * the {@code initialized} notification, the call). The sessions share one HTTP client, and so its
 * pooled connections.
 *
 * <p>A kept session is used by one listing or call at a time. The SDK's client would take calls
 * side by side, but a failure its transport reports after a request was handed over (an answer
 * that is not JSON-RPC, a connection reset mid-answer) names no request: on a session of its own
 * it ends only the call that met it. Calls to one server at once each take an idle session or
 * open one. A session goes back to be reused only after an answer (a result, {@code isError} or
 * not, or a JSON-RPC error); after anything else — a transport failure, a timeout, a cancel, an
 * answer the client refused — it is closed, so nothing a server did to one call can reach a later
 * one. Kept are at most {@link #MAX_IDLE_PER_SERVER} idle sessions per endpoint (server name, URL
 * and secret header: a registration's change of any of them opens new sessions) for at most
 * {@link #MAX_SERVERS} endpoints, the least recently used dropped first, each idle for at most
 * {@link #IDLE_LIFETIME} (servers expire idle sessions of their own). A server that no longer
 * knows a kept session (it restarted, or expired it) answers 404, or 400, without running
 * anything: the listing or call is then made once more, on a new session. Closing the client ends
 * its idle sessions.
 *
 * <p>Everything is bounded: a listing or a call, handshake and that one retry included, ends
 * within the call timeout; a message read is at most {@link #maxMessageBytes}; a result kept for
 * the model at most the result bound (cut and marked beyond it, see {@link ResultText}); a listing
 * at most {@link #MAX_PAGES} pages and {@link #MAX_TOOLS} tools. A call never throws for what the
 * server does: down, slow, garbage, a JSON-RPC error, a result marked {@code isError} are all an
 * error answer naming the server and what happened. Only the endpoint's URL is fetched — redirects
 * are not followed — and the secret header goes only there.
 */
public final class McpToolClient implements AutoCloseable {
    /** More pages than this is a server paging without end. */
    public static final int MAX_PAGES = 100;
    /** More tools than any model can be offered at once. */
    public static final int MAX_TOOLS = 1_000;
    /** The longest piece of a server's own words (an error message) quoted back. */
    static final int MAX_QUOTED_CHARS = 500;
    /** Endpoints whose idle sessions are kept: more servers than a deployment registers. */
    static final int MAX_SERVERS = 64;
    /** Idle sessions kept per endpoint: about as many calls as one process makes to a server at once. */
    static final int MAX_IDLE_PER_SERVER = 8;
    /** An idle session older than this is closed, not reused: a server may have forgotten it meanwhile. */
    static final Duration IDLE_LIFETIME = Duration.ofSeconds(60);
    /** The longest closing waits for the idle sessions' ends (DELETE) to reach their servers. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);

    private static final TypeRef<Map<String, Object>> ARGUMENTS = new TypeRef<>() {};
    private static final McpSchema.Implementation CLIENT_INFO = new McpSchema.Implementation("eryao", "1");

    private final Duration timeout;
    private final int maxMessageBytes;
    private final ResultText results;
    private final McpJsonMapper json = McpJsonDefaults.getMapper();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;
    private final int maxServers;
    private final int maxIdlePerServer;
    private final long idleLifetimeNanos;
    /** Idle sessions by endpoint, least recently used endpoint first; each deque newest first. Guarded by itself. */
    private final LinkedHashMap<McpEndpoint, Deque<Session>> idle = new LinkedHashMap<>(16, 0.75f, true);
    /** Guarded by {@link #idle}. */
    private boolean closed;

    /**
     * @param timeout        the longest a listing or a call may take, handshake included
     * @param maxResultBytes the most bytes of a result kept for the model
     */
    public McpToolClient(Duration timeout, int maxResultBytes) {
        this(timeout, maxResultBytes, MAX_SERVERS, MAX_IDLE_PER_SERVER, IDLE_LIFETIME);
    }

    /** As {@link #McpToolClient(Duration, int)}, with the bounds of the kept sessions (for the tests). */
    McpToolClient(Duration timeout, int maxResultBytes, int maxServers, int maxIdlePerServer, Duration idleLifetime) {
        this.timeout = timeout;
        this.maxServers = maxServers;
        this.maxIdlePerServer = maxIdlePerServer;
        this.idleLifetimeNanos = idleLifetime.toNanos();
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
        try {
            return withSession(endpoint, session -> {
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
            });
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
        McpSchema.CallToolRequest request = new McpSchema.CallToolRequest(tool, arguments);
        try {
            McpSchema.CallToolResult result = withSession(
                    endpoint, session -> session.await(session.client.callTool(request), deadline, onCancel));
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

    /** What a listing or a call does with a session. */
    private interface SessionWork<T> {
        T on(Session session) throws CallFailure;
    }

    /**
     * {@code work} on an idle session of the endpoint's, or on a new one; once more on a new one when
     * a kept session turns out to be unknown to its server (nothing was run). The session is kept
     * for later only when the work ended in an answer of the server's.
     */
    private <T> T withSession(McpEndpoint endpoint, SessionWork<T> work) throws CallFailure {
        Session session = take(endpoint);
        boolean answered = false;
        try {
            T value = work.on(session);
            answered = true;
            return value;
        } catch (CallFailure failure) {
            answered = failure.answered;
            if (!failure.sessionUnknown || !session.reused) {
                throw failure;
            }
        } finally {
            giveBack(session, answered);
        }
        Session fresh = open(endpoint);
        answered = false;
        try {
            T value = work.on(fresh);
            answered = true;
            return value;
        } catch (CallFailure failure) {
            answered = failure.answered;
            throw failure;
        } finally {
            giveBack(fresh, answered);
        }
    }

    /** The newest idle session of the endpoint's that is still usable, else a new one. */
    private Session take(McpEndpoint endpoint) throws CallFailure {
        List<Session> stale = new ArrayList<>();
        Session found = null;
        synchronized (idle) {
            long now = System.nanoTime();
            dropExpired(now, stale);
            Deque<Session> sessions = idle.get(endpoint);
            while (sessions != null && !sessions.isEmpty() && found == null) {
                Session candidate = sessions.pollFirst();
                if (candidate.usable()) {
                    found = candidate;
                } else {
                    stale.add(candidate);
                }
            }
            if (sessions != null && sessions.isEmpty()) {
                idle.remove(endpoint);
            }
        }
        stale.forEach(Session::close);
        if (found != null) {
            found.reused = true;
            return found;
        }
        return open(endpoint);
    }

    /** Keeps the session for later if its work ended in an answer and there is room, else ends it. */
    private void giveBack(Session session, boolean answered) {
        List<Session> dropped = new ArrayList<>();
        synchronized (idle) {
            if (closed || !answered || !session.usable()) {
                dropped.add(session);
            } else {
                session.idleSinceNanos = System.nanoTime();
                Deque<Session> sessions = idle.computeIfAbsent(session.endpoint, key -> new ArrayDeque<>());
                sessions.addFirst(session);
                while (sessions.size() > maxIdlePerServer) {
                    dropped.add(sessions.pollLast());
                }
                Iterator<Map.Entry<McpEndpoint, Deque<Session>>> eldest =
                        idle.entrySet().iterator();
                while (idle.size() > maxServers && eldest.hasNext()) {
                    dropped.addAll(eldest.next().getValue());
                    eldest.remove();
                }
            }
        }
        dropped.forEach(Session::close);
    }

    /** Takes out every idle session past its lifetime (the oldest are at each deque's end). */
    private void dropExpired(long now, List<Session> stale) {
        Iterator<Deque<Session>> all = idle.values().iterator();
        while (all.hasNext()) {
            Deque<Session> sessions = all.next();
            while (!sessions.isEmpty() && now - sessions.peekLast().idleSinceNanos >= idleLifetimeNanos) {
                stale.add(sessions.pollLast());
            }
            if (sessions.isEmpty()) {
                all.remove();
            }
        }
    }

    /** The idle sessions kept, all endpoints together (for the tests). */
    int idleSessions() {
        synchronized (idle) {
            return idle.values().stream().mapToInt(Deque::size).sum();
        }
    }

    private Session open(McpEndpoint endpoint) throws CallFailure {
        URI uri;
        try {
            uri = URI.create(endpoint.url());
        } catch (IllegalArgumentException e) {
            throw new CallFailure("its URL is not one the client can use");
        }
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
        Session session = new Session(endpoint);
        WatchedTransport transport = new WatchedTransport(http, session::failed);
        session.client = McpClient.async(transport)
                .clientInfo(CLIENT_INFO)
                .capabilities(McpSchema.ClientCapabilities.builder().build())
                .requestTimeout(timeout)
                .initializationTimeout(timeout)
                .build();
        return session;
    }

    /**
     * Ends the idle sessions (their DELETEs are waited for at most {@link #CLOSE_WAIT}, so a slow
     * server cannot hold the process's close), then stops at once: what is still in flight is dropped.
     */
    @Override
    public void close() {
        List<Session> ending = new ArrayList<>();
        synchronized (idle) {
            closed = true;
            idle.values().forEach(ending::addAll);
            idle.clear();
        }
        try {
            Flux.fromIterable(ending)
                    .flatMap(session -> session.client.closeGracefully().onErrorComplete())
                    .then()
                    .block(CLOSE_WAIT);
        } catch (RuntimeException notInTime) {
            // a server slower than the wait: its session ends when it notices the connection gone
        }
        http.shutdownNow();
        executor.shutdownNow();
    }

    /** A failure of one listing or call, in words naming what the server did. */
    static final class CallFailure extends Exception {
        /** The server answered (a JSON-RPC error): the session is as good as before. */
        final boolean answered;
        /** The server does not know the session (404 or 400 to a request carrying its id): nothing ran. */
        final boolean sessionUnknown;

        CallFailure(String message) {
            this(message, false, false);
        }

        CallFailure(String message, boolean answered, boolean sessionUnknown) {
            super(message, null, false, false);
            this.answered = answered;
            this.sessionUnknown = sessionUnknown;
        }
    }

    /**
     * One MCP session: the SDK's client over a watched transport, used by one listing or call at a
     * time; closing it ends the session.
     */
    private final class Session implements AutoCloseable {
        private final McpEndpoint endpoint;
        private McpAsyncClient client;
        /** Whether it served an earlier listing or call (only then may its server have forgotten it). */
        private boolean reused;
        /** When it went back to the idle sessions (System.nanoTime); guarded by {@link #idle}. */
        private long idleSinceNanos;
        /** The first failure its transport reported: it is not used again after one. */
        private volatile Throwable broken;
        /** What the listing or call using it waits on, to be failed at once by a transport failure. */
        private volatile CompletableFuture<?> waiting;

        Session(McpEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        void failed(Throwable failure) {
            if (broken == null) {
                broken = failure;
            }
            CompletableFuture<?> current = waiting;
            if (current != null) {
                current.completeExceptionally(failure);
            }
        }

        boolean usable() {
            return broken == null && client.isInitialized();
        }

        /**
         * The value of {@code work}, waiting at most until {@code deadline} (System.nanoTime), or
         * until the transport fails, or until the caller cancels.
         */
        <T> T await(Mono<T> work, long deadline, Function<Runnable, Runnable> onCancel) throws CallFailure {
            CompletableFuture<T> outcome = new CompletableFuture<>();
            waiting = outcome;
            Throwable earlier = broken;
            if (earlier != null) {
                outcome.completeExceptionally(earlier);
            }
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
                Throwable cause = e.getCause();
                throw new CallFailure(
                        Failures.describe(cause, endpoint, timeout),
                        broken == null && isJsonRpcError(cause),
                        isSessionUnknown(cause));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CallFailure("the call was interrupted");
            } finally {
                waiting = null;
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

    private static boolean isJsonRpcError(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof McpError error && error.getJsonRpcError() != null) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSessionUnknown(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof McpTransportSessionNotFoundException) {
                return true;
            }
        }
        return false;
    }
}
