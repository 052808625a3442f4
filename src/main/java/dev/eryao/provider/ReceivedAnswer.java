package dev.eryao.provider;

/**
 * What has arrived of one answer, however it came (streamed or whole): its text, handed to the
 * listener piece by piece (at most {@link AnswerLimits#answerBytes()} in all) unless the call was
 * cancelled, its finish reason and the provider's usage; then the {@link Completion}, counted by
 * that usage or, without it, by the {@link TokenEstimate} bounds.
 */
final class ReceivedAnswer {
    private final ChatRequest call;
    private final CalledModel model;
    private final AnswerLimits limits;
    private final DeltaListener onDelta;
    private final CancelSignal cancel;

    private final StringBuilder text = new StringBuilder();
    private long textBytes;
    private String finishReason;
    private ChunkDecoder.Usage usage;

    ReceivedAnswer(ChatRequest call, AnswerLimits limits, DeltaListener onDelta, CancelSignal cancel) {
        this.call = call;
        this.model = CalledModel.of(call);
        this.limits = limits;
        this.onDelta = onDelta;
        this.cancel = cancel;
    }

    /** One chunk: its text delivered, then its finish reason and usage kept. False when cancelled (nothing kept). */
    boolean take(ChunkDecoder.Chunk chunk) {
        if (!chunk.text().isEmpty() && !deliver(chunk.text())) {
            return false; // cancelled: the reader returns what was delivered
        }
        if (chunk.finishReason() != null) {
            finishReason = chunk.finishReason();
        }
        if (chunk.usage() != null) {
            usage = chunk.usage();
        }
        return true;
    }

    /**
     * Hands a piece to the listener unless the call was cancelled; only what was handed over counts
     * as produced. False when cancelled.
     *
     * @throws LlmCallException when the piece would take the answer past its bound: it is not handed over
     */
    boolean deliver(String piece) {
        textBytes += Utf8.length(piece);
        if (textBytes > limits.answerBytes()) {
            throw limits.answerTooLong(model);
        }
        return cancel.deliverUnlessCancelled(() -> {
            text.append(piece);
            onDelta.onDelta(piece);
        });
    }

    /** Whether a finish reason has come: a stream that ends without [DONE] after it is still whole. */
    boolean finished() {
        return finishReason != null;
    }

    /** What arrived, counted by the provider's usage when it came, else by the {@link TokenEstimate} bounds. */
    Completion completion(boolean cancelled) {
        String produced = text.toString();
        if (usage != null) {
            return new Completion(
                    produced, usage.promptTokens(), usage.completionTokens(), finishReason, false, cancelled);
        }
        return new Completion(
                produced,
                TokenEstimate.promptTokens(call.messages(), call.contextTokens()),
                TokenEstimate.completionTokens(produced, call.maxTokens()),
                finishReason,
                true,
                cancelled);
    }
}
