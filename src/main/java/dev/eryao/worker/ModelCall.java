package dev.eryao.worker;

import dev.eryao.provider.CancelSignal;
import dev.eryao.provider.ChatRequest;
import dev.eryao.provider.Completion;
import dev.eryao.provider.DeltaListener;

/**
 * How a run's model is called: {@link dev.eryao.provider.ChatCompletionsClient#stream}, or, in the
 * tests that prove a run always ends, that call with a fault put in front of it or into its
 * listener.
 */
@FunctionalInterface
interface ModelCall {
    Completion stream(ChatRequest call, DeltaListener onDelta, CancelSignal cancel);
}
