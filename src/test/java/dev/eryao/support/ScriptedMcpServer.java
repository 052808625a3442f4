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
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * An MCP server over streamable HTTP on loopback written for the tests, for what the SDK's server
 * side will not do: answer {@code tools/list} in pages of the test's choosing, answer a call with
 * garbage or a JSON-RPC error. It speaks the protocol's plain form — one JSON answer per POST,
 * {@code 405} to the optional GET stream, no session id unless started {@link #withSessions} — and
 * records every request's headers and what it asked ({@link #requests}).
 */
public final class ScriptedMcpServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How {@code tools/list} with a cursor (null: the first page) is answered: the result object. */
    private final Function<String, Object> pages;
    /**
     * How {@code tools/call} of a tool is answered: the whole HTTP body, as text; {@code "HTTP 401"}
     * (any status) answers that status with no body instead.
     */
    private final Function<JsonNode, String> calls;

    /** Whether it gives a session id at {@code initialize} and answers 404 to any other id. */
    private final boolean sessions;

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Map<String, List<String>>> headers = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();
    private final Set<String> openSessions = ConcurrentHashMap.newKeySet();

    private ScriptedMcpServer(
            int port, boolean sessions, Function<String, Object> pages, Function<JsonNode, String> calls)
            throws IOException {
        this.pages = pages;
        this.calls = calls;
        this.sessions = sessions;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/mcp", this::handle);
        server.start();
    }

    /**
     * @param pages answers {@code tools/list} for a cursor (null for the first page) with its result
     *     ({@code {"tools": [...], "nextCursor": ...}})
     * @param calls answers {@code tools/call} (given the request) with the whole HTTP body to send
     */
    public static ScriptedMcpServer start(Function<String, Object> pages, Function<JsonNode, String> calls)
            throws IOException {
        return new ScriptedMcpServer(0, false, pages, calls);
    }

    /**
     * As {@link #start}, on {@code port} (0: any free one), giving a session id ({@code
     * Mcp-Session-Id}) at each {@code initialize}: any other request without one of its ids is
     * answered 404 and not performed, as a server does that restarted or expired the session;
     * {@code DELETE} ends a session.
     */
    public static ScriptedMcpServer withSessions(
            int port, Function<String, Object> pages, Function<JsonNode, String> calls) throws IOException {
        return new ScriptedMcpServer(port, true, pages, calls);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * What it was asked, in order: the JSON-RPC method of each POST ({@code "initialize"},
     * {@code "tools/call"}, {@code "notifications/initialized"}), with {@code " (unknown session)"}
     * added to one refused with 404; the HTTP method of any other request ({@code "DELETE"}).
     */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/mcp";
    }

    /** The headers of every request received, in order. */
    public List<Map<String, List<String>>> headers() {
        return List.copyOf(headers);
    }

    /** A tool as {@code tools/list} gives it. */
    public static Map<String, Object> tool(String name) {
        return Map.of("name", name, "description", "tool " + name, "inputSchema", Map.of("type", "object"));
    }

    /** A JSON-RPC answer to {@code request} with {@code result}. */
    public static String result(JsonNode request, Object result) {
        ObjectNode answer = JSON.createObjectNode().put("jsonrpc", "2.0");
        answer.set("id", request.get("id"));
        answer.set("result", JSON.valueToTree(result));
        return answer.toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            headers.add(Map.copyOf(exchange.getRequestHeaders()));
            String session = exchange.getRequestHeaders().getFirst("Mcp-Session-Id");
            if (!"POST".equals(exchange.getRequestMethod())) {
                requests.add(exchange.getRequestMethod());
                if (sessions && "DELETE".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(session != null && openSessions.remove(session) ? 200 : 404, -1);
                    return;
                }
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            String method = request.path("method").asText();
            if (sessions && !method.equals("initialize") && (session == null || !openSessions.contains(session))) {
                requests.add(method + " (unknown session)");
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            requests.add(method);
            if (sessions && method.equals("initialize")) {
                String id = UUID.randomUUID().toString();
                openSessions.add(id);
                exchange.getResponseHeaders().set("Mcp-Session-Id", id);
            }
            if (!request.has("id")) { // a notification
                exchange.sendResponseHeaders(202, -1);
                return;
            }
            String body = switch (method) {
                case "initialize" ->
                    result(
                            request,
                            Map.of(
                                    "protocolVersion",
                                            request.path("params")
                                                    .path("protocolVersion")
                                                    .asText(),
                                    "capabilities", Map.of("tools", Map.of()),
                                    "serverInfo", Map.of("name", "scripted", "version", "1")));
                case "tools/list" ->
                    result(
                            request,
                            pages.apply(
                                    request.path("params").path("cursor").isTextual()
                                            ? request.path("params")
                                                    .path("cursor")
                                                    .asText()
                                            : null));
                case "tools/call" -> calls.apply(request);
                default ->
                    "{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id")
                            + ",\"error\":{\"code\":-32601,\"message\":\"no such method\"}}";
            };
            if (body.startsWith("HTTP ")) {
                exchange.sendResponseHeaders(Integer.parseInt(body.substring("HTTP ".length())), -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
