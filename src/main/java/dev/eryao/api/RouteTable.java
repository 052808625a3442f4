package dev.eryao.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.List;

/** Collects the routes the route classes declare, then gives them to Javalin and to {@link OpenApi}. */
final class RouteTable {
    private record Entry(Route route, Handler handler) {
    }

    private final List<Entry> entries = new ArrayList<>();

    void add(Route route, Handler handler) {
        entries.add(new Entry(route, handler));
    }

    List<Route> routes() {
        return entries.stream().map(Entry::route).toList();
    }

    void registerAll(RoutesConfig routes) {
        for (Entry entry : entries) {
            routes.addHttpHandler(entry.route().method, entry.route().path, entry.handler(), entry.route().role);
        }
    }
}
