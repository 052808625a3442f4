package dev.eryao.api;

import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One operation of the API as the router, the handler and the OpenAPI document all see it: method,
 * path, the role it needs, the body it reads, the statuses it answers, what it returns and its
 * {@code Idempotency-Key} rule. Declared once, in the route classes; {@link RouteTable} applies the
 * declaration to every request (reads the path ids and the body, enforces the key rule, sets the
 * status and writes the body in its shape) and {@link OpenApi} documents it, so neither a handler
 * nor the document can drift from it.
 *
 * @param <B> the request body's type ({@link Void} for a route that reads none)
 */
final class Route<B> {
    /** How the response body wraps {@link #response}. */
    enum Shape {
        NONE,
        ONE,
        LIST,
        PAGE,
        TEXT,
        EVENTS
    }

    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

    final HandlerType method;
    final String path;
    final ApiRole role;
    final String tag;
    /** The path's parameters, in order; every one is a UUID. */
    final List<String> pathParams;

    String summary = "";
    /** The status of a handler's plain answer. */
    int status = 200;
    /** The other statuses a handler may choose ({@link Call#answer}), each with when it is answered. */
    final Map<Integer, String> otherStatuses = new LinkedHashMap<>();
    /**
     * The problems (RFC 9457) this route's own work may answer, each with when: those every route of
     * its kind answers (a bad token, a bad id, a body that does not read, …) are added by
     * {@link OpenApi} from the rest of the declaration, so only what the handler's services refuse
     * is declared here.
     */
    final Map<Integer, String> refusals = new LinkedHashMap<>();

    Class<B> requestBody;
    Class<?> response;
    Shape shape = Shape.NONE;
    /** The media type of a {@link Shape#TEXT} answer. */
    String mediaType;
    /** Headers set on every answer the handler gives (not on problems). */
    final Map<String, String> responseHeaders = new LinkedHashMap<>();

    final List<String> queryParams = new ArrayList<>();
    /** What a query parameter means, for those declared with {@link #query}. */
    final Map<String, String> queryDescriptions = new LinkedHashMap<>();

    boolean idempotencyKey;
    /** Why a request without an {@code Idempotency-Key} is refused, or null when the key is optional. */
    String idempotencyKeyRequiredBecause;

    private Route(HandlerType method, String path, ApiRole role, String tag) {
        this.method = method;
        this.path = path;
        this.role = role;
        this.tag = tag;
        List<String> params = new ArrayList<>();
        Matcher matcher = PATH_PARAM.matcher(path);
        while (matcher.find()) {
            params.add(matcher.group(1));
        }
        this.pathParams = List.copyOf(params);
    }

    static Route<Void> of(HandlerType method, String path, ApiRole role, String tag) {
        return new Route<>(method, path, role, tag);
    }

    Route<B> summary(String text) {
        this.summary = text;
        return this;
    }

    Route<B> status(int code) {
        this.status = code;
        return this;
    }

    /** A status the handler may answer instead of {@link #status}, and when. */
    Route<B> alsoAnswers(int code, String when) {
        this.otherStatuses.put(code, when);
        return this;
    }

    /**
     * A problem the route's work may answer (402, 409, 422, 429, …), and when; it is sent by
     * {@link ProblemMapper}, and the document lists it with the problems of the route's kind.
     */
    Route<B> refuses(int code, String when) {
        this.refusals.merge(code, when, (a, b) -> a + "; " + b);
        return this;
    }

    /** The JSON body the route reads, handed to its handler as {@code T} ({@link Call#body}). */
    @SuppressWarnings("unchecked")
    <T> Route<T> body(Class<T> type) {
        // The same declaration, now typed by its body: nothing else about it changes.
        Route<T> typed = (Route<T>) this;
        typed.requestBody = type;
        return typed;
    }

    Route<B> returns(Class<?> type) {
        this.response = type;
        this.shape = Shape.ONE;
        return this;
    }

    /** A whole list {@code {items}}: the handler returns the {@code List}. */
    Route<B> returnsList(Class<?> type) {
        this.response = type;
        this.shape = Shape.LIST;
        return this;
    }

    /**
     * A keyset page {@code {items, next_cursor}} read with {@code ?limit=&cursor=}: the handler
     * returns the {@code Page}.
     */
    Route<B> returnsPage(Class<?> type) {
        this.response = type;
        this.shape = Shape.PAGE;
        this.queryParams.add("limit");
        this.queryParams.add("cursor");
        return this;
    }

    /** A body sent as the handler's string, as {@code mediaType}. */
    Route<B> returnsText(String type) {
        this.shape = Shape.TEXT;
        this.mediaType = type;
        return this;
    }

    /** A stream of server-sent events ({@code text/event-stream}), which the handler writes itself. */
    Route<B> returnsEvents() {
        this.shape = Shape.EVENTS;
        return this;
    }

    /** A query parameter the handler reads (a string), and what it means. */
    Route<B> query(String name, String description) {
        this.queryParams.add(name);
        this.queryDescriptions.put(name, description);
        return this;
    }

    /** A header every answer of the handler carries. */
    Route<B> header(String name, String value) {
        this.responseHeaders.put(name, value);
        return this;
    }

    Route<B> acceptsIdempotencyKey() {
        this.idempotencyKey = true;
        return this;
    }

    /** The route refuses a request without an {@code Idempotency-Key} (428), for the reason given. */
    Route<B> requiresIdempotencyKey(String because) {
        this.idempotencyKey = true;
        this.idempotencyKeyRequiredBecause = because;
        return this;
    }

    /** Whether the route declares {@code code} among its answers. */
    boolean answers(int code) {
        return code == status || otherStatuses.containsKey(code);
    }

    /** Every status the route declares, its plain one first. */
    List<Integer> statuses() {
        List<Integer> all = new ArrayList<>();
        all.add(status);
        all.addAll(otherStatuses.keySet());
        return all;
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
