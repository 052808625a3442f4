package dev.eryao.provider;

import java.nio.ByteBuffer;

/**
 * A 2xx answer that is not a stream — a compatible server that ignores {@code stream: true}
 * answers whole — kept whole up to the body's bound, read as one answer at its end, and handed to
 * the listener as a single piece.
 */
final class WholeAnswerBody implements ResponseBody {
    private final CalledModel model;
    private final AnswerLimits limits;
    private final ChunkDecoder decoder;
    private final ReceivedAnswer answer;
    private final CappedBody body;

    WholeAnswerBody(CalledModel model, AnswerLimits limits, ChunkDecoder decoder, ReceivedAnswer answer) {
        this.model = model;
        this.limits = limits;
        this.decoder = decoder;
        this.answer = answer;
        this.body = CappedBody.whole(limits.bodyBytes());
    }

    @Override
    public boolean read(ByteBuffer bytes) {
        if (!body.add(bytes)) {
            throw limits.bodyTooLong(model);
        }
        return false;
    }

    @Override
    public Completion ended() {
        ChunkDecoder.Chunk whole = decoder.whole(body.text(), limits);
        return answer.completion(!answer.take(whole));
    }
}
