package dev.eryao.provider;

import dev.eryao.provider.LlmCallException.Kind;
import java.nio.ByteBuffer;

/**
 * A 2xx answer as server-sent events: bytes cut into lines ({@link LineSplitter}), lines into
 * events ({@link SseParser}), each event read as a chunk ({@link ChunkDecoder}) and taken into
 * the answer, until {@code [DONE]}. Bounded by line, event and body ({@link AnswerLimits}). Stops
 * between lines once the call is cancelled, so nothing after the cancel is read.
 */
final class EventStreamBody implements ResponseBody {
    private final CalledModel model;
    private final AnswerLimits limits;
    private final ChunkDecoder decoder;
    private final ReceivedAnswer answer;
    private final CancelSignal cancel;
    private final LineSplitter lines = new LineSplitter(AnswerLimits.LINE_BYTES);
    private final SseParser events = new SseParser(AnswerLimits.EVENT_BYTES, this::event);

    /** Bytes of the body so far, against the body's bound. */
    private long received;

    private boolean done;

    EventStreamBody(
            CalledModel model, AnswerLimits limits, ChunkDecoder decoder, ReceivedAnswer answer, CancelSignal cancel) {
        this.model = model;
        this.limits = limits;
        this.decoder = decoder;
        this.answer = answer;
        this.cancel = cancel;
    }

    @Override
    public boolean read(ByteBuffer bytes) {
        received += bytes.remaining();
        if (received > limits.bodyBytes()) {
            throw limits.bodyTooLong(model);
        }
        lines.add(bytes);
        try {
            for (String line = lines.next(); line != null; line = lines.next()) {
                line(line, lines.lastLineBytes());
                if (done) {
                    return true;
                }
                if (cancel.isCancelled()) {
                    return false;
                }
            }
        } catch (LineSplitter.LineTooLongException e) {
            throw AnswerLimits.lineTooLong(model);
        }
        return false;
    }

    /**
     * Servers are asked for a blank line after each event, but an unterminated last line and event
     * still count; so does a finish reason without {@code [DONE]}.
     */
    @Override
    public Completion ended() {
        String last = lines.rest();
        if (last != null) {
            line(last, lines.lastLineBytes());
        }
        events.end();
        if (done || answer.finished()) {
            return answer.completion(false);
        }
        throw model.failure(
                Kind.BROKEN_STREAM,
                "the stream from " + model.the() + " ended before the answer did (no finish_reason, no [DONE])",
                true,
                null);
    }

    private void line(String line, int bytes) {
        try {
            events.line(line, bytes);
        } catch (SseParser.EventTooLongException e) {
            throw AnswerLimits.eventTooLong(model);
        }
    }

    private void event(SseEvent event) {
        if (ChunkDecoder.isDone(event.data())) {
            done = true;
        } else {
            answer.take(decoder.chunk(event.data()));
        }
    }
}
