package dev.eryao.provider;

import java.nio.ByteBuffer;

/**
 * A non-2xx body: its start kept for the error (an owner is shown {@link CallFailures#ERROR_BODY_CHARS}
 * of it), the rest counted up to {@link AnswerLimits#ERROR_BODY_BYTES}, so a proxy's endless page
 * costs one bound.
 */
final class ErrorBody implements ResponseBody {
    /** The most of the body kept: more than is quoted, as the quote is cut after its spaces are squeezed. */
    private static final int KEPT = 4 * CallFailures.ERROR_BODY_CHARS;

    private final CalledModel model;
    private final int status;
    private final CappedBody body = new CappedBody(AnswerLimits.ERROR_BODY_BYTES, KEPT);

    ErrorBody(CalledModel model, int status) {
        this.model = model;
        this.status = status;
    }

    @Override
    public boolean read(ByteBuffer bytes) {
        if (!body.add(bytes)) {
            throw AnswerLimits.errorBodyTooLong(model, status);
        }
        return false;
    }

    @Override
    public Completion ended() {
        throw failure();
    }

    /** The status, quoting what of the body came: also when the body broke off before its end. */
    LlmCallException failure() {
        return CallFailures.statusFailure(model, status, body.text());
    }
}
