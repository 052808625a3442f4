package dev.eryao.llm;

/**
 * Receives a streamed answer as the model writes it. Called on the thread that called
 * {@link ChatCompletionsClient#stream}, one piece at a time and in order, so a listener needs no
 * locking of its own; what it does delays the reading of the next chunk, so it should hand the text
 * on rather than wait on anything slow.
 */
@FunctionalInterface
public interface DeltaListener {
    /** @param text a non-empty {@code choices[0].delta.content}, as received */
    void onDelta(String text);

    /** For calls whose text is only wanted whole. */
    static DeltaListener ignore() {
        return text -> { };
    }
}
