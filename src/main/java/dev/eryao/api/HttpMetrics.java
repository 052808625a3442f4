package dev.eryao.api;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Times every request into {@code http.server.requests}, tagged by method, route template (not the
 * raw path, so ids do not explode the number of series) and status.
 */
final class HttpMetrics {
    private static final String STARTED = "eryao.started-nanos";

    private final MeterRegistry registry;

    HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void start(Context ctx) {
        ctx.attribute(STARTED, System.nanoTime());
    }

    void stop(Context ctx) {
        Long started = ctx.attribute(STARTED);
        if (started == null) {
            return;
        }
        Endpoint endpoint = ctx.endpoints().lastHttpEndpoint();
        String route = endpoint == null || endpoint.path.isEmpty() ? "unmatched" : endpoint.path;
        Timer.builder("http.server.requests")
                .tag("method", ctx.method().name())
                .tag("route", route)
                .tag("status", String.valueOf(ctx.statusCode()))
                .register(registry)
                .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
