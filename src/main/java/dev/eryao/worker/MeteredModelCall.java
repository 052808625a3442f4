package dev.eryao.worker;

import dev.eryao.provider.CancelSignal;
import dev.eryao.provider.ChatRequest;
import dev.eryao.provider.Completion;
import dev.eryao.provider.DeltaListener;
import dev.eryao.provider.LlmCallException;

/**
 * A {@link ModelCall} measured: each call's latency by outcome, its error's kind, and the tokens
 * it reports, labelled with the model as the catalog names it.
 */
final class MeteredModelCall implements ModelCall {
    /** The kind of a call that ended in something other than an {@link LlmCallException} (a bug). */
    static final String UNEXPECTED = "unexpected";

    private final ModelCall model;
    private final WorkerMetrics metrics;

    MeteredModelCall(ModelCall model, WorkerMetrics metrics) {
        this.model = model;
        this.metrics = metrics;
    }

    @Override
    public Completion stream(ChatRequest call, DeltaListener onDelta, CancelSignal cancel) {
        long started = System.nanoTime();
        try {
            Completion completion = model.stream(call, onDelta, cancel);
            metrics.called(
                    call.factoryName(),
                    call.modelCode(),
                    System.nanoTime() - started,
                    completion.cancelled(),
                    completion.promptTokens(),
                    completion.completionTokens());
            return completion;
        } catch (LlmCallException e) {
            metrics.callFailed(
                    call.factoryName(),
                    call.modelCode(),
                    System.nanoTime() - started,
                    e.kind().label());
            throw e;
        } catch (RuntimeException e) {
            metrics.callFailed(call.factoryName(), call.modelCode(), System.nanoTime() - started, UNEXPECTED);
            throw e;
        }
    }
}
