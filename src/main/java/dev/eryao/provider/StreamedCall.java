package dev.eryao.provider;

import dev.eryao.core.config.Durations;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One {@link ChatCompletionsClient#stream} call: the HTTP client's threads put what arrives (the
 * status, each read of the body, the end or a failure) on a queue, and the caller's thread takes it
 * off, so the listener runs on the caller's thread and the caller's thread alone decides when to
 * stop — on [DONE], a failure, a bound passed, a deadline or a cancel. The body is asked for one read
 * at a time, the next only once the caller's thread has handled the last, so a provider faster than
 * the reader waits in its own socket rather than filling the queue; what one read can grow to is
 * bounded by {@link AnswerLimits}.
 *
 * <p>Stopping early cancels both the exchange's future (which aborts the exchange whether or not the
 * answer has started: the future completes only with the body) and the body's subscription (also
 * one the HTTP client makes only after the abandon, when the headers arrive late). Either alone
 * closes the connection — the stream tests fail only when both are left out — and the provider then
 * sees its writes fail and stops generating for us; both are done so that neither path depends on
 * the other's timing.
 */
final class StreamedCall {
    /** The most of a non-2xx body kept for its error. */
    private static final int ERROR_BODY_KEPT = 4 * ChatCompletionsClient.ERROR_BODY_CHARS;
    /** How long the end of the body may take once the answer is whole ({@link #readToTheEnd}). */
    private static final Duration END_WAIT = Duration.ofSeconds(2);

    private sealed interface Event {
    }

    private record Headers(int status, String contentType) implements Event {
    }

    private record Bytes(List<ByteBuffer> buffers) implements Event {
    }

    private record Ended() implements Event {
    }

    private record Failed(Throwable error) implements Event {
    }

    /** Put by {@link CancelSignal#cancel()} so the reader need not wait for the next read to notice. */
    private record Wake() implements Event {
    }

    /** What the answer turned out to be, once its status is known. */
    private enum Mode { AWAITING_HEADERS, EVENTS, WHOLE, ERROR }

    private final ChatCompletionsClient client;
    private final CalledModel model;
    private final AnswerLimits limits;
    private final CancelSignal cancel;
    private final EventStreamAnswer answer;
    private final LineSplitter lines = new LineSplitter(AnswerLimits.LINE_BYTES);
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    private final PacedBody body = new PacedBody(buffers -> events.add(new Bytes(buffers)),
            error -> events.add(new Failed(error)), () -> events.add(new Ended()));
    private CompletableFuture<HttpResponse<Void>> exchange;

    private Mode mode = Mode.AWAITING_HEADERS;
    private int status;
    /** Bytes of the body received so far, against the bound of its kind. */
    private long received;
    /** A body read whole: an error's, or an answer's that was not streamed. */
    private CappedBody whole;

    StreamedCall(ChatCompletionsClient client, ChatRequest call, AnswerLimits limits, DeltaListener onDelta,
                 CancelSignal cancel) {
        this.client = client;
        this.model = CalledModel.of(call);
        this.limits = limits;
        this.cancel = cancel;
        this.answer = new EventStreamAnswer(call, limits, client.json(), onDelta, cancel);
    }

    Completion run(HttpClient http, HttpRequest request) {
        long timeout = client.settings().timeout().toNanos();
        long idle = client.settings().idle().toNanos();
        long start = System.nanoTime();
        long deadline = start + timeout;
        long idleDeadline = start + idle;
        Runnable unregister = cancel.whenCancelled(() -> events.add(new Wake()));
        try {
            try {
                exchange = http.sendAsync(request, this::subscriber);
            } catch (RuntimeException e) {
                throw client.beforeAnswer(model, e);
            }
            exchange.whenComplete((response, error) -> {
                if (error != null) {
                    events.add(new Failed(error));
                }
            });
            while (true) {
                if (cancel.isCancelled()) {
                    return answer.completion(true);
                }
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    throw timedOut();
                }
                if (now - idleDeadline >= 0) {
                    throw model.failure(model.the() + " sent nothing for "
                            + Durations.seconds(client.settings().idle()) + " (ERYAO_LLM__IDLE_SECONDS)", true, null);
                }
                Event event = events.poll(Math.min(deadline - now, idleDeadline - now), TimeUnit.NANOSECONDS);
                if (event == null || event instanceof Wake) {
                    continue;
                }
                if (event instanceof Headers || event instanceof Bytes) {
                    idleDeadline = System.nanoTime() + idle;
                }
                Completion finished = take(event);
                if (finished != null) {
                    if (!(event instanceof Ended)) {
                        readToTheEnd();
                    }
                    return finished;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmCallException("interrupted while waiting for the model", true, e);
        } finally {
            unregister.run();
            abandon();
        }
    }

    /**
     * After {@code [DONE]} only the body's end is left to come. Reading it hands the connection back
     * to the HTTP client whole, for the next call; cut off at that point, a kept-alive connection
     * was at times handed back half-read, and the next call on it broke off mid-answer. What comes
     * meanwhile is dropped, but still counted: past the body's bound the connection is given up.
     */
    private void readToTheEnd() throws InterruptedException {
        body.more(); // the read that held [DONE] was the last one asked for
        long until = System.nanoTime() + END_WAIT.toNanos();
        for (long left = END_WAIT.toNanos(); left > 0; left = until - System.nanoTime()) {
            Event event = events.poll(left, TimeUnit.NANOSECONDS);
            if (event == null || event instanceof Ended || event instanceof Failed) {
                return;
            }
            if (event instanceof Bytes bytes) {
                for (ByteBuffer buffer : bytes.buffers()) {
                    received += buffer.remaining();
                }
                if (received > limits.bodyBytes()) {
                    return;
                }
                body.more();
            }
        }
    }

    /** Handles one event; the completion once the answer is whole, else null. */
    private Completion take(Event event) {
        switch (event) {
            case Headers headers -> {
                status = headers.status();
                if (status / 100 != 2) {
                    mode = Mode.ERROR;
                    whole = new CappedBody(AnswerLimits.ERROR_BODY_BYTES, ERROR_BODY_KEPT);
                } else if (headers.contentType().toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
                    mode = Mode.EVENTS;
                } else {
                    // A compatible server that ignores stream: true answers whole; read it as such.
                    mode = Mode.WHOLE;
                    whole = CappedBody.whole(limits.bodyBytes());
                }
                return null;
            }
            case Bytes bytes -> {
                for (ByteBuffer buffer : bytes.buffers()) {
                    if (read(buffer)) {
                        return answer.completion(false);
                    }
                    if (cancel.isCancelled()) {
                        return answer.completion(true);
                    }
                }
                body.more();
                return null;
            }
            case Ended ended -> {
                return ended();
            }
            case Failed failed -> throw failure(failed.error());
            case Wake wake -> {
                return null;
            }
        }
    }

    /** One read of the body, as its mode wants it; true once the streamed answer is whole. */
    private boolean read(ByteBuffer buffer) {
        received += buffer.remaining();
        switch (mode) {
            case ERROR -> {
                if (!whole.add(buffer)) {
                    throw AnswerLimits.errorBodyTooLong(model, status);
                }
                return false;
            }
            case WHOLE -> {
                if (!whole.add(buffer)) {
                    throw limits.bodyTooLong(model);
                }
                return false;
            }
            default -> {
                if (received > limits.bodyBytes()) {
                    throw limits.bodyTooLong(model);
                }
                lines.add(buffer);
                try {
                    for (String line = lines.next(); line != null; line = lines.next()) {
                        if (answer.line(line, lines.lastLineBytes())) {
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
        }
    }

    private Completion ended() {
        switch (mode) {
            case ERROR -> throw ChatCompletionsClient.statusFailure(model, status, whole.text());
            case WHOLE -> {
                Completion completion = client.parse(model, limits, status, whole.text());
                if (!completion.content().isEmpty() && !answer.deliver(completion.content())) {
                    return answer.completion(true);
                }
                return completion;
            }
            default -> {
                String last = lines.rest();
                if ((last != null && answer.line(last, lines.lastLineBytes())) || answer.ended()) {
                    return answer.completion(false);
                }
                throw model.failure("the stream from " + model.the()
                        + " ended before the answer did (no finish_reason, no [DONE])", true, null);
            }
        }
    }

    private LlmCallException timedOut() {
        if (mode == Mode.AWAITING_HEADERS) {
            return client.beforeAnswer(model, new HttpTimeoutException("request timed out"));
        }
        return model.failure(model.the() + " did not finish its answer within "
                + Durations.seconds(client.settings().timeout()) + " (ERYAO_LLM__TIMEOUT_SECONDS)", true, null);
    }

    private LlmCallException failure(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (mode == Mode.AWAITING_HEADERS) {
            return client.beforeAnswer(model, cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return timedOut();
        }
        if (mode == Mode.ERROR) {
            return ChatCompletionsClient.statusFailure(model, status, whole.text());
        }
        if (cause instanceof CancellationException) {
            return model.failure("the call to " + model.the() + " was abandoned", true, cause);
        }
        return model.failureWithDetail("the stream from " + model.the() + " broke off before the answer ended ("
                + cause.getClass().getSimpleName() + ")", String.valueOf(cause.getMessage()), true, cause);
    }

    /** Stops the exchange: the body (closing the connection) and, if no answer had started, the request. */
    private void abandon() {
        if (body.abandon() && exchange != null) {
            exchange.cancel(true);
        }
    }

    private HttpResponse.BodySubscriber<Void> subscriber(HttpResponse.ResponseInfo info) {
        events.add(new Headers(info.statusCode(), info.headers().firstValue("Content-Type").orElse("")));
        return body;
    }
}
