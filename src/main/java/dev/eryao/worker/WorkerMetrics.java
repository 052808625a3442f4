package dev.eryao.worker;

import dev.eryao.core.metrics.Buckets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What a worker measures of the runs it performs and the models it calls: how long each attempt
 * took by how it ended, the time from its claim to the first piece of its answer stored (what a
 * chat user waits for, less the queue), and each model call's latency, errors by kind and tokens.
 *
 * <p>Labels hold bounded values only: an attempt's outcome, an error's {@link
 * dev.eryao.provider.LlmCallException.Kind}, and the model as the catalog names it (its factory's
 * name and its model code, which an administrator adds), never a run, an owner or a URL.
 */
final class WorkerMetrics {
    /** How an attempt ended, as {@link #attemptEnded} labels it. */
    enum Outcome {
        SUCCEEDED,
        CANCELLED,
        /** Failed: queued again or failed for good (eryao_runs_finished_total tells which). */
        FAILED,
        /** Its lease was lost before it was recorded: another worker has the run. */
        LOST,
        /** It ended parked: the run waits for its owner (an approval, a client tool's output). */
        PARKED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private record Series(String name, String factory, String model, String extra) {}

    private final MeterRegistry registry;
    private final Timer firstPiece;
    private final Map<Outcome, Timer> attempts = new ConcurrentHashMap<>();
    /** Found again by a record lookup, not the builder's tag sorting on every call; bounded by the catalog. */
    private final Map<Series, Object> meters = new ConcurrentHashMap<>();

    WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.firstPiece = Timer.builder("eryao.runs.first.piece")
                .description("time from a run's claim to the first piece of its model's answer stored (readable by"
                        + " its event streams)")
                .serviceLevelObjectives(Buckets.FIRST_TOKEN)
                .register(registry);
        for (Outcome outcome : Outcome.values()) {
            attempts.put(
                    outcome,
                    Timer.builder("eryao.runs.attempt.duration")
                            .description("time a worker spent on a run's attempt, from its claim to its recorded"
                                    + " outcome, by how the attempt ended")
                            .tag("outcome", outcome.label())
                            .serviceLevelObjectives(Buckets.CALL)
                            .register(registry));
        }
    }

    void firstPieceStored(long claimedNanos) {
        firstPiece.record(System.nanoTime() - claimedNanos, TimeUnit.NANOSECONDS);
    }

    void attemptEnded(Outcome outcome, long claimedNanos) {
        attempts.get(outcome).record(System.nanoTime() - claimedNanos, TimeUnit.NANOSECONDS);
    }

    /** A model call that came back (whole, or stopped by the worker: {@code cancelled}). */
    void called(String factory, String model, long nanos, boolean cancelled, int inputTokens, int outputTokens) {
        callTimer(factory, model, cancelled ? "cancelled" : "ok").record(nanos, TimeUnit.NANOSECONDS);
        tokens(factory, model, "input").increment(inputTokens);
        tokens(factory, model, "output").increment(outputTokens);
    }

    /** A model call that failed, {@code kind} saying how. */
    void callFailed(String factory, String model, long nanos, String kind) {
        callTimer(factory, model, "error").record(nanos, TimeUnit.NANOSECONDS);
        ((Counter) meters.computeIfAbsent(
                        new Series("errors", factory, model, kind),
                        series -> Counter.builder("eryao.llm.call.errors")
                                .description("model calls that failed, by model and by kind of failure")
                                .tag("factory", factory)
                                .tag("model", model)
                                .tag("kind", kind)
                                .register(registry)))
                .increment();
    }

    private Timer callTimer(String factory, String model, String outcome) {
        return (Timer) meters.computeIfAbsent(
                new Series("calls", factory, model, outcome),
                series -> Timer.builder("eryao.llm.call.duration")
                        .description(
                                "model calls from request to the answer's end (or its failure, or the worker's stop),"
                                        + " by model and outcome")
                        .tag("factory", factory)
                        .tag("model", model)
                        .tag("outcome", outcome)
                        .serviceLevelObjectives(Buckets.CALL)
                        .register(registry));
    }

    private Counter tokens(String factory, String model, String type) {
        return (Counter) meters.computeIfAbsent(
                new Series("tokens", factory, model, type),
                series -> Counter.builder("eryao.llm.tokens")
                        .description(
                                "tokens sent to (input) and written by (output) models, as their providers reported"
                                        + " them or, when they did not, as estimated")
                        .tag("factory", factory)
                        .tag("model", model)
                        .tag("type", type)
                        .register(registry));
    }
}
