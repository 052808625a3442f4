package dev.eryao.provider;

/**
 * Receives a streamed answer as the model writes it. Called on the thread that called
 * {@link ChatCompletionsClient#stream}, one piece at a time and in order, so a listener needs no
 * locking of its own; what it does delays the reading of the next chunk, and a
 * {@link CancelSignal#cancel()} waits for a delivery in progress, so it should hand the text on
 * rather than wait on anything slow. An exception it throws ends the call — the model's connection
 * is closed — and reaches the caller of {@code stream} as it is.
 */
@FunctionalInterface
public interface DeltaListener {
    /** @param text a non-empty {@code choices[0].delta.content}, as received */
    void onDelta(String text);

    /** For calls whose text is only wanted whole. */
    static DeltaListener ignore() {
        return text -> {};
    }
}
