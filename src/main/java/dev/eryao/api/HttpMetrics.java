package dev.eryao.api;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Times every request into {@code http.server.requests}, tagged by method, route template (not the
 * raw path, so ids do not explode the number of series) and status.
 */
final class HttpMetrics {
    private static final String STARTED = "eryao.started-nanos";

    private final MeterRegistry registry;
    /**
     * Each series' timer, found again by a record lookup: registering through the builder on every
     * request sorted and allocated its tags each time, only to find a timer that already existed.
     * Bounded by routes x methods x statuses.
     */
    private final Map<Series, Timer> timers = new ConcurrentHashMap<>();

    private record Series(String method, String route, int status) {}

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
        timers.computeIfAbsent(new Series(ctx.method().name(), route, ctx.statusCode()), this::register)
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }

    private Timer register(Series series) {
        return Timer.builder("http.server.requests")
                .tag("method", series.method())
                .tag("route", series.route())
                .tag("status", String.valueOf(series.status()))
                .register(registry);
    }
}
