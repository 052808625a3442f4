package dev.eryao.api;

import dev.eryao.core.metrics.Buckets;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Times every request into {@code http.server.requests}, a histogram (so a p99 can be computed
 * across processes) tagged by method, route template (not the raw path, so ids do not explode the
 * number of series) and status. The template is the route the request matched, also when the
 * auth check refused it (401, 403) before its handler ran, and, for a 405, the route whose path it
 * matched under another method; only a path no route has is {@code unmatched}.
 */
final class HttpMetrics {
    static final String UNMATCHED = "unmatched";
    private static final String STARTED = "eryao.started-nanos";

    private final MeterRegistry registry;
    /** Every route's path template and the pattern of the paths it matches, for the 405s. */
    private final List<Template> templates;
    /**
     * Each series' timer, found again by a record lookup: registering through the builder on every
     * request sorted and allocated its tags each time, only to find a timer that already existed.
     * Bounded by routes x methods x statuses.
     */
    private final Map<Series, Timer> timers = new ConcurrentHashMap<>();

    private record Series(String method, String route, int status) {}

    private record Template(String path, Pattern matches) {
        static Template of(String path) {
            StringBuilder regex = new StringBuilder();
            for (String part : path.split("\\{[^}]+}", -1)) {
                if (!regex.isEmpty() || path.startsWith("{")) {
                    regex.append("[^/]+");
                }
                regex.append(Pattern.quote(part));
            }
            return new Template(path, Pattern.compile(regex.toString()));
        }
    }

    /** @param paths every route's path template */
    HttpMetrics(MeterRegistry registry, List<String> paths) {
        this.registry = registry;
        this.templates = paths.stream().distinct().map(Template::of).toList();
    }

    void start(Context ctx) {
        ctx.attribute(STARTED, System.nanoTime());
    }

    void stop(Context ctx) {
        Long started = ctx.attribute(STARTED);
        if (started == null) {
            return;
        }
        timers.computeIfAbsent(new Series(ctx.method().name(), route(ctx), ctx.statusCode()), this::register)
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }

    /** The template of the route the request matched (also one refused before its handler ran). */
    private String route(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        if (endpoint != null && !endpoint.path.isEmpty()) {
            return endpoint.path;
        }
        if (ctx.statusCode() == 405) {
            String path = ctx.path();
            for (Template template : templates) {
                if (template.matches().matcher(path).matches()) {
                    return template.path();
                }
            }
        }
        return UNMATCHED;
    }

    private Timer register(Series series) {
        return Timer.builder("http.server.requests")
                .description(
                        "HTTP requests from their arrival to their answer, by method, route template and" + " status")
                .tag("method", series.method())
                .tag("route", series.route())
                .tag("status", String.valueOf(series.status()))
                .serviceLevelObjectives(Buckets.REQUEST)
                .register(registry);
    }
}
