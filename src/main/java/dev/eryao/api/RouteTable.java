package dev.eryao.api;

import dev.eryao.core.db.Page;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the routes the route classes declare, then gives them to Javalin and to {@link OpenApi}.
 * Each handler is registered wrapped in its declaration: {@link Call#read} reads what the route
 * declares before the handler runs, and the handler's answer is written here with the declared
 * status (or another declared one it chose), headers and shape. An answer the route does not
 * declare — another status, a body of another type — is refused with an
 * {@link IllegalStateException} (a 500, logged), never sent.
 */
final class RouteTable {
    /** A route's work: a small function of what its route declares. */
    @FunctionalInterface
    interface Handler<B> {
        /**
         * @return the answer's body as the route's shape wants it (the record, the {@code List}, the
         *     {@code Page}, the text; null for none), or a {@link Call#answer} with another declared status
         */
        Object handle(Call<B> call) throws Exception;
    }

    private record Entry<B>(Route<B> route, Handler<B> handler) {}

    private final JsonBodies json;
    private final List<Entry<?>> entries = new ArrayList<>();

    RouteTable(JsonBodies json) {
        this.json = json;
    }

    <B> void add(Route<B> route, Handler<B> handler) {
        entries.add(new Entry<>(route, handler));
    }

    List<Route<?>> routes() {
        return entries.stream().<Route<?>>map(Entry::route).toList();
    }

    void registerAll(RoutesConfig routes) {
        for (Entry<?> entry : entries) {
            register(routes, entry);
        }
    }

    private <B> void register(RoutesConfig routes, Entry<B> entry) {
        Route<B> route = entry.route();
        routes.addHttpHandler(
                route.method,
                route.path,
                ctx -> answer(route, ctx, entry.handler().handle(Call.read(route, ctx, json))),
                route.role);
    }

    private static void answer(Route<?> route, Context ctx, Object result) {
        if (route.shape == Route.Shape.EVENTS) {
            // The handler wrote its own answer (the stream is open by now): only its status is left to check.
            if (result != null || !route.answers(ctx.statusCode())) {
                throw new IllegalStateException(route + " left status " + ctx.statusCode()
                        + (result == null ? "" : " and returned a body") + ", which it does not declare");
            }
            return;
        }
        Call.Answer answer = result instanceof Call.Answer chosen ? chosen : new Call.Answer(route.status, result);
        if (!route.answers(answer.status())) {
            throw new IllegalStateException(route + " answered " + answer.status() + ", which it does not declare"
                    + " (it declares " + route.statuses() + ")");
        }
        Object body = onTheWire(route, answer.body());
        route.responseHeaders.forEach(ctx::header);
        ctx.status(answer.status());
        switch (route.shape) {
            case NONE -> {}
            case TEXT -> ctx.contentType(route.mediaType).result((String) body);
            default -> ctx.json(body);
        }
    }

    /** The handler's body as its route's shape sends it, or a refusal when it is not what the route returns. */
    private static Object onTheWire(Route<?> route, Object body) {
        boolean fits = switch (route.shape) {
            case NONE -> body == null;
            case ONE -> route.response.isInstance(body);
            case LIST -> body instanceof List<?>;
            case PAGE -> body instanceof Page<?>;
            case TEXT -> body instanceof String;
            case EVENTS -> false;
        };
        if (!fits) {
            throw new IllegalStateException(route + " answered "
                    + (body == null ? "no body" : "a " + body.getClass().getSimpleName()) + " where it declares "
                    + route.shape
                    + (route.response == null ? "" : " of " + route.response.getSimpleName()));
        }
        return switch (route.shape) {
            case LIST -> new ItemsBody<>((List<?>) body);
            case PAGE -> PageBody.of((Page<?>) body);
            default -> body;
        };
    }
}
