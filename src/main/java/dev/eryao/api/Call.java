package dev.eryao.api;

import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.PageRequest;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One request as its route's handler sees it: what its {@link Route} declares, already read and
 * checked before the handler runs — the path ids (400 unless UUIDs), then the
 * {@code Idempotency-Key} (428 when the route requires one and it is missing), then the body (as the
 * declared type; 415 or 400 unless it reads) — and a way to answer one of the route's other declared
 * statuses. Asking for what the route does not declare (a body, a path id, the key, a page, the
 * request itself) is a bug, refused with an {@link IllegalStateException}: the declaration, which the
 * OpenAPI document shows, stays the whole truth about what the handler reads.
 *
 * @param <B> the declared body's type
 */
final class Call<B> {
    /** An answer with a status the handler chose among its route's declared ones, and its body. */
    record Answer(int status, Object body) {}

    private final Route<B> route;
    private final Context ctx;
    private final Map<String, UUID> ids;
    private final String idempotencyKey;
    private final B body;

    private Call(Route<B> route, Context ctx, Map<String, UUID> ids, String idempotencyKey, B body) {
        this.route = route;
        this.ctx = ctx;
        this.ids = ids;
        this.idempotencyKey = idempotencyKey;
        this.body = body;
    }

    /** Reads what {@code route} declares from the request, refusing the request when it cannot. */
    static <B> Call<B> read(Route<B> route, Context ctx, JsonBodies json) {
        Map<String, UUID> ids = new LinkedHashMap<>();
        for (String name : route.pathParams) {
            ids.put(name, Requests.pathId(ctx, name));
        }
        String key = null;
        if (route.idempotencyKeyRequiredBecause != null) {
            // Before the body: a request the route must refuse is refused before anything is read.
            key = Requests.requiredIdempotencyKey(ctx, route.idempotencyKeyRequiredBecause);
        } else if (route.idempotencyKey) {
            key = Requests.idempotencyKey(ctx);
        }
        B body = route.requestBody == null ? null : json.read(ctx, route.requestBody);
        return new Call<>(route, ctx, ids, key, body);
    }

    /** The verified caller (the route declares a role that needs one). */
    CurrentUser user() {
        return Requests.user(ctx);
    }

    /** The body, read as the declared type. */
    B body() {
        if (route.requestBody == null) {
            throw undeclared("reads a request body");
        }
        return body;
    }

    /** The path parameter {@code name}, a UUID. */
    UUID id(String name) {
        UUID id = ids.get(name);
        if (id == null) {
            throw undeclared("reads the path parameter {" + name + "}");
        }
        return id;
    }

    /** The {@code Idempotency-Key}: null when the route takes one but the request sent none. */
    String idempotencyKey() {
        if (!route.idempotencyKey) {
            throw undeclared("reads an " + Requests.IDEMPOTENCY_KEY + " header");
        }
        return idempotencyKey;
    }

    /** {@code ?limit=&cursor=}, for a route that returns a page. */
    PageRequest page(boolean newestFirst) {
        if (route.shape != Route.Shape.PAGE) {
            throw undeclared("reads a page (?limit=&cursor=)");
        }
        return Requests.page(ctx, newestFirst);
    }

    /** A query parameter the route declares ({@link Route#queryParam}), or null when absent. */
    String query(String name) {
        if (!route.queryParams.contains(name)) {
            throw undeclared("reads ?" + name + "=");
        }
        return ctx.queryParam(name);
    }

    /** A query parameter holding an id, or null when absent; anything else is a 422 naming it. */
    UUID queryId(String name) {
        String value = query(name);
        if (value == null) {
            return null;
        }
        if (!dev.eryao.core.Uuids.isCanonical(value)) {
            throw RequestException.field(name, "must be an id (a UUID such as 0190a7c4-9c8e-7d3a-b1f2-3c4d5e6f7a8b)");
        }
        return dev.eryao.core.Uuids.parseCanonical(value);
    }

    /** A request header the handler reads besides those the route declares (Last-Event-ID, Accept). */
    String header(String name) {
        return ctx.header(name);
    }

    /** {@code body} answered with {@code status}, which must be one the route declares. */
    Answer answer(int status, Object body) {
        return new Answer(status, body);
    }

    /**
     * The request itself, for a route that writes its own answer (a stream of events); the table
     * still checks the status it leaves.
     */
    Context context() {
        if (route.shape != Route.Shape.EVENTS) {
            throw undeclared("writes its own answer");
        }
        return ctx;
    }

    private IllegalStateException undeclared(String what) {
        return new IllegalStateException(route + " " + what + ", which it does not declare");
    }
}
