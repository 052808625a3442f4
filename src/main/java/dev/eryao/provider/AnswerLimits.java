package dev.eryao.provider;

import dev.eryao.provider.LlmCallException.Kind;

/**
 * How much one attempt may receive from a provider, derived from the output cap it was sent
 * ({@code max_tokens}). A provider cannot honestly send more than {@code max_tokens} tokens, so
 * anything past these bounds is a broken or hostile provider: the reading stops there, the
 * connection is closed, and the attempt fails for good (trying again would pay for the same again),
 * charged nothing. What one call can make the process hold is therefore bounded by its output cap,
 * not by what the provider chooses to send.
 *
 * <ul>
 *   <li>the answer's text: {@code max_tokens} × {@code ERYAO_LLM__ANSWER_BYTES_PER_TOKEN} bytes of UTF-8;
 *   <li>a 2xx body on the wire, streamed or whole: {@value #FRAMING_BYTES} bytes, plus
 *       {@value #FRAMING_BYTES_PER_TOKEN} per token (a stream sends one JSON chunk per token, and a
 *       reasoning model's hidden tokens arrive as chunks of their own), plus {@value #ESCAPED_BYTES_PER_BYTE}
 *       per byte of the answer's text (JSON may escape each byte as a six-character escape);
 *   <li>one line of server-sent events, and one event's data, {@value #LINE_BYTES} bytes each;
 *   <li>the body of an error (a non-2xx answer), {@value #ERROR_BODY_BYTES} bytes.
 * </ul>
 */
record AnswerLimits(int maxTokens, int bytesPerToken) {
    /** One server-sent-event line: far above any chunk of one token, far below a threat to memory. */
    static final int LINE_BYTES = 1 << 20;
    /** One server-sent event's data lines together. */
    static final int EVENT_BYTES = 1 << 20;
    /** A non-2xx body: an error message, or a proxy's HTML page. */
    static final int ERROR_BODY_BYTES = 1 << 20;
    /** The body beyond its per-token chunks: the role, finish and usage chunks, keep-alive comments. */
    static final int FRAMING_BYTES = 1 << 20;
    /** One chunk's JSON around its token (about 250 bytes from OpenAI), with room to spare. */
    static final int FRAMING_BYTES_PER_TOKEN = 1 << 10;
    /** The most bytes JSON writes for one byte of text: a control character's six-character escape. */
    static final int ESCAPED_BYTES_PER_BYTE = 6;

    /** The most bytes of answer text (UTF-8). */
    long answerBytes() {
        return (long) maxTokens * bytesPerToken;
    }

    /** The most bytes of a 2xx body on the wire. */
    long bodyBytes() {
        return FRAMING_BYTES + (long) maxTokens * FRAMING_BYTES_PER_TOKEN + ESCAPED_BYTES_PER_BYTE * answerBytes();
    }

    LlmCallException answerTooLong(CalledModel model) {
        return model.failure(
                Kind.OVERSIZED,
                "the answer of " + model.the() + " passed " + answerBytes()
                        + " bytes of text, the most its max_tokens allows (" + maxTokens
                        + " × ERYAO_LLM__ANSWER_BYTES_PER_TOKEN " + bytesPerToken + "): not read further",
                false,
                null);
    }

    LlmCallException bodyTooLong(CalledModel model) {
        return model.failure(
                Kind.OVERSIZED,
                model.the() + " sent a body of more than " + bodyBytes() + " bytes, the most its max_tokens "
                        + maxTokens + " allows: not read further",
                false,
                null);
    }

    static LlmCallException lineTooLong(CalledModel model) {
        return model.failure(
                Kind.OVERSIZED,
                model.the() + " sent a line of more than " + LINE_BYTES
                        + " bytes, the most one server-sent-event line may be: not read further",
                false,
                null);
    }

    static LlmCallException eventTooLong(CalledModel model) {
        return model.failure(
                Kind.OVERSIZED,
                model.the() + " sent an event of more than " + EVENT_BYTES
                        + " bytes, the most one server-sent event may be: not read further",
                false,
                null);
    }

    static LlmCallException errorBodyTooLong(CalledModel model, int status) {
        return model.failure(
                Kind.OVERSIZED,
                model.the() + " answered " + status + " with a body of more than " + ERROR_BODY_BYTES
                        + " bytes, the most an error body may be: not read further",
                false,
                null);
    }
}
