package dev.eryao.provider;

import java.nio.ByteBuffer;

/**
 * A provider's response body, read as its headers say, one network read at a time on the
 * caller's thread: an answer as server-sent events ({@link EventStreamBody}), an answer whole
 * (a compatible server that ignores {@code stream: true}: {@link WholeAnswerBody}), or an error
 * ({@link ErrorBody}). Each holds what its kind may hold and no more ({@link AnswerLimits}).
 */
sealed interface ResponseBody permits EventStreamBody, WholeAnswerBody, ErrorBody {
    /**
     * The next read of the body.
     *
     * @return true once the answer is whole before the body has ended ({@code [DONE]} came)
     * @throws LlmCallException when the body passed a bound or cannot be read
     */
    boolean read(ByteBuffer bytes);

    /**
     * The body has ended.
     *
     * @return the completion
     * @throws LlmCallException when the body was no (whole) answer
     */
    Completion ended();
}
