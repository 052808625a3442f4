package dev.eryao.api;

import dev.eryao.core.tracing.Tracing;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;

/**
 * A server span for every request, current on the request's thread while it is handled (so that
 * its statements and an enqueued run's trace hang under it), continuing the caller's trace when
 * the request carries one ({@code traceparent}, W3C, or what {@code OTEL_PROPAGATORS} names). Named
 * by method and route template ({@code GET /v1/agent/sessions/{id}}), as the metrics are, so ids
 * never make names; the path itself is the {@code url.path} attribute. Only registered when
 * tracing is on.
 *
 * <p>Each request runs on a virtual thread of its own, from the before-handler to the
 * after-handler, so the scope opened in one is closed on the same thread in the other.
 */
final class RequestTraces {
    private static final String OPEN = "eryao.request-span";

    private static final TextMapGetter<Context> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Context ctx) {
            return ctx.headerMap().keySet();
        }

        @Override
        public String get(Context ctx, String key) {
            return ctx == null ? null : ctx.header(key);
        }
    };

    private record Open(Span span, Scope scope) {}

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    RequestTraces(Tracing tracing) {
        this.tracer = tracing.tracer();
        this.propagator = tracing.propagator();
    }

    void start(Context ctx) {
        io.opentelemetry.context.Context caller =
                propagator.extract(io.opentelemetry.context.Context.root(), ctx, HEADERS);
        String method = ctx.method().name();
        Span span = tracer.spanBuilder(method)
                .setParent(caller)
                .setSpanKind(SpanKind.SERVER)
                .setAttribute("http.request.method", method)
                .setAttribute("url.path", ctx.path())
                .startSpan();
        ctx.attribute(OPEN, new Open(span, span.makeCurrent()));
    }

    void stop(Context ctx) {
        Open open = ctx.attribute(OPEN);
        if (open == null) {
            return;
        }
        Span span = open.span();
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        if (endpoint != null && !endpoint.path.isEmpty()) {
            span.updateName(ctx.method().name() + " " + endpoint.path);
            span.setAttribute("http.route", endpoint.path);
        }
        int status = ctx.statusCode();
        span.setAttribute("http.response.status_code", status);
        if (status >= 500) {
            span.setStatus(StatusCode.ERROR);
            span.setAttribute("error.type", String.valueOf(status));
        }
        open.scope().close();
        span.end();
    }
}
