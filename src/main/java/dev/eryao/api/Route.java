package dev.eryao.api;

import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;

/**
 * One operation of the API as the router and the OpenAPI document both see it: method, path,
 * the role it needs, and what it takes and returns. Routes are declared once, in the route
 * classes, so the document cannot drift from what is served.
 */
final class Route {
    /** How the response body wraps {@link #response}. */
    enum Shape { NONE, ONE, LIST, PAGE, TEXT, EVENTS }

    final HandlerType method;
    final String path;
    final ApiRole role;
    final String tag;
    String summary = "";
    int status = 200;
    Class<?> requestBody;
    Class<?> response;
    Shape shape = Shape.NONE;
    final List<String> queryParams = new ArrayList<>();
    boolean idempotencyKey;
    /** Why a request without an {@code Idempotency-Key} is refused, or null when the key is optional. */
    String idempotencyKeyRequiredBecause;

    private Route(HandlerType method, String path, ApiRole role, String tag) {
        this.method = method;
        this.path = path;
        this.role = role;
        this.tag = tag;
    }

    static Route of(HandlerType method, String path, ApiRole role, String tag) {
        return new Route(method, path, role, tag);
    }

    Route summary(String text) {
        this.summary = text;
        return this;
    }

    Route status(int code) {
        this.status = code;
        return this;
    }

    Route body(Class<?> type) {
        this.requestBody = type;
        return this;
    }

    Route returns(Class<?> type) {
        this.response = type;
        this.shape = Shape.ONE;
        return this;
    }

    Route returnsList(Class<?> type) {
        this.response = type;
        this.shape = Shape.LIST;
        return this;
    }

    /** A keyset page {@code {items, next_cursor}} read with {@code ?limit=&cursor=}. */
    Route returnsPage(Class<?> type) {
        this.response = type;
        this.shape = Shape.PAGE;
        this.queryParams.add("limit");
        this.queryParams.add("cursor");
        return this;
    }

    Route returnsText() {
        this.shape = Shape.TEXT;
        return this;
    }

    /** A stream of server-sent events ({@code text/event-stream}). */
    Route returnsEvents() {
        this.shape = Shape.EVENTS;
        return this;
    }

    Route acceptsIdempotencyKey() {
        this.idempotencyKey = true;
        return this;
    }

    /** The route refuses a request without an {@code Idempotency-Key} (428), for the reason given. */
    Route requiresIdempotencyKey(String because) {
        this.idempotencyKey = true;
        this.idempotencyKeyRequiredBecause = because;
        return this;
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
