package dev.eryao.services;

import dev.eryao.core.tracing.Tracing;
import dev.eryao.repositories.RunClaim;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A run's life as one trace, across processes: enqueue stores the accepting request's trace
 * context with the run ({@code agent_run.trace_parent}, W3C {@code traceparent}); the worker that
 * claims it — in whatever process — opens the attempt's span as a child of it, with the claim as
 * the attempt's first child span, and keeps the attempt current on its thread while it performs
 * the run, so that the model calls, tool calls, statements and the charge made there are the
 * attempt's children.
 *
 * <p>Off (no OTLP endpoint), the stored context is null, {@link #attempt} returns a shared no-op,
 * and {@link #charging} finds no tracer: no span is made and nothing allocated.
 */
public final class RunTraces {
    /** The tracer, carried in the attempt's context so that the services' spans need none handed to them. */
    private static final ContextKey<Tracer> TRACER = ContextKey.named("eryao.run-tracer");

    private static final RunTraces OFF = new RunTraces(null);
    private static final TextMapGetter<String> TRACE_PARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    /** Null when tracing is off. */
    private final Tracer tracer;

    private RunTraces(Tracer tracer) {
        this.tracer = tracer;
    }

    public static RunTraces of(Tracing tracing) {
        return tracing.enabled() ? new RunTraces(tracing.tracer()) : OFF;
    }

    public static RunTraces off() {
        return OFF;
    }

    /**
     * The span current on this thread (the enqueue request's) as a W3C traceparent, to store with
     * the run; null when there is none (tracing off, or the request came in outside it).
     */
    public static String currentTraceParent() {
        SpanContext span = Span.current().getSpanContext();
        if (!span.isValid()) {
            return null;
        }
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-"
                + span.getTraceFlags().asHex();
    }

    /** The time to start a claim's span at: now, when tracing is on (0, unread, when off). */
    public long claimStarting() {
        if (tracer == null) {
            return 0;
        }
        Instant now = Instant.now();
        return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    }

    /**
     * Opens the span of {@code run}'s attempt (a child of the trace stored with the run, or a new
     * trace when none was), records its claim as having run from {@code claimStartedNanos} until
     * now, and makes the attempt current on this thread until {@link Attempt#close()}.
     */
    public Attempt attempt(ClaimedRun claimed, long claimStartedNanos) {
        if (tracer == null) {
            return Attempt.NONE;
        }
        RunClaim run = claimed.claim();
        Context parent = parentOf(run.traceParent());
        Span attempt = tracer.spanBuilder("eryao.run.attempt")
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setStartTimestamp(claimStartedNanos, TimeUnit.NANOSECONDS)
                .setAttribute("eryao.run.id", run.runId().toString())
                .setAttribute("eryao.run.attempt", run.attempt())
                .startSpan();
        Context inAttempt = parent.with(attempt).with(TRACER, tracer);
        tracer.spanBuilder("eryao.run.claim")
                .setParent(inAttempt)
                .setStartTimestamp(claimStartedNanos, TimeUnit.NANOSECONDS)
                .startSpan()
                .end();
        return new Attempt(attempt, inAttempt.makeCurrent());
    }

    /** The stored traceparent as a parent context: the root context when there is none or it does not parse. */
    private static Context parentOf(String traceParent) {
        if (traceParent == null) {
            return Context.root();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceParent, TRACE_PARENT);
    }

    /**
     * A span for the charge of the attempt current on this thread (a child of it); a no-op span
     * outside a traced attempt. The caller ends it.
     */
    public static Span charging(long owed, long held) {
        Tracer tracer = Context.current().get(TRACER);
        if (tracer == null) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder("eryao.run.charge")
                .setAttribute("eryao.points.owed", owed)
                .setAttribute("eryao.points.held", held)
                .startSpan();
    }

    /** A traced attempt, current on the thread that opened it until closed there. */
    public static final class Attempt implements AutoCloseable {
        static final Attempt NONE = new Attempt(Span.getInvalid(), Scope.noop());

        private final Span span;
        private final Scope scope;

        private Attempt(Span span, Scope scope) {
            this.span = span;
            this.scope = scope;
        }

        /** How the attempt ended ({@code succeeded}, {@code failed}, ...), a bounded word. */
        public void ended(String outcome) {
            span.setAttribute("eryao.run.outcome", outcome);
        }

        @Override
        public void close() {
            scope.close();
            span.end();
        }
    }
}
