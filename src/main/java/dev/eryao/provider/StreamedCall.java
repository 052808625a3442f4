package dev.eryao.provider;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.config.Durations;
import dev.eryao.core.config.LlmSettings;
import dev.eryao.provider.LlmCallException.Kind;
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
 * One {@link ChatCompletionsClient#stream} call's HTTP exchange: the HTTP client's threads put what
 * arrives (the status, each read of the body, the end or a failure) on a queue, and the caller's
 * thread takes it off, so the listener runs on the caller's thread and the caller's thread alone
 * decides when to stop — on [DONE], a failure, a bound passed, a deadline or a cancel. The body is
 * asked for one read at a time, the next only once the caller's thread has handled the last, so a
 * provider faster than the reader waits in its own socket rather than filling the queue. What the
 * reads mean is the {@link ResponseBody}'s business, chosen when the headers come.
 *
 * <p>Stopping early cancels both the exchange's future (which aborts the exchange whether or not the
 * answer has started: the future completes only with the body) and the body's subscription (also
 * one the HTTP client makes only after the abandon, when the headers arrive late). Either alone
 * closes the connection — the stream tests fail only when both are left out — and the provider then
 * sees its writes fail and stops generating for us; both are done so that neither path depends on
 * the other's timing.
 */
final class StreamedCall {
    /** How long the end of the body may take once the answer is whole ({@link #readToTheEnd}). */
    private static final Duration END_WAIT = Duration.ofSeconds(2);

    private sealed interface Event {}

    private record Headers(int status, String contentType) implements Event {}

    private record Bytes(List<ByteBuffer> buffers) implements Event {}

    private record Ended() implements Event {}

    private record Failed(Throwable error) implements Event {}

    /** Put by {@link CancelSignal#cancel()} so the reader need not wait for the next read to notice. */
    private record Wake() implements Event {}

    private final LlmSettings settings;
    private final CalledModel model;
    private final AnswerLimits limits;
    private final CancelSignal cancel;
    private final ChunkDecoder decoder;
    private final ReceivedAnswer answer;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    private final PacedBody body = new PacedBody(
            buffers -> events.add(new Bytes(buffers)),
            error -> events.add(new Failed(error)),
            () -> events.add(new Ended()));
    private CompletableFuture<HttpResponse<Void>> exchange;

    /** How the body is read; null until the headers have come. */
    private ResponseBody reading;
    /** Bytes of the body received so far, against the body's bound once the answer is whole. */
    private long received;

    StreamedCall(
            LlmSettings settings,
            ObjectMapper json,
            ChatRequest call,
            AnswerLimits limits,
            DeltaListener onDelta,
            CancelSignal cancel) {
        this.settings = settings;
        this.model = CalledModel.of(call);
        this.limits = limits;
        this.cancel = cancel;
        this.decoder = new ChunkDecoder(model, json);
        this.answer = new ReceivedAnswer(call, limits, onDelta, cancel);
    }

    Completion run(HttpClient http, HttpRequest request) {
        long timeout = settings.timeout().toNanos();
        long idle = settings.idle().toNanos();
        long start = System.nanoTime();
        long deadline = start + timeout;
        long idleDeadline = start + idle;
        Runnable unregister = cancel.whenCancelled(() -> events.add(new Wake()));
        try {
            try {
                exchange = http.sendAsync(request, this::subscriber);
            } catch (RuntimeException e) {
                throw CallFailures.beforeAnswer(model, settings, e);
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
                    throw model.failure(
                            Kind.TIMEOUT,
                            model.the() + " sent nothing for " + Durations.seconds(settings.idle())
                                    + " (ERYAO_LLM__IDLE_SECONDS)",
                            true,
                            null);
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
                    // Only a whole answer waits for the body's end; a cancelled one closes the
                    // connection at once (abandon, below), so the provider stops generating.
                    if (!(event instanceof Ended) && !finished.cancelled()) {
                        readToTheEnd();
                    }
                    return finished;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmCallException(
                    Kind.INTERRUPTED, "interrupted while waiting for the model", null, null, true, e);
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
                reading = readerFor(headers.status(), headers.contentType());
                return null;
            }
            case Bytes bytes -> {
                for (ByteBuffer buffer : bytes.buffers()) {
                    received += buffer.remaining();
                    if (reading.read(buffer)) {
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
                return reading.ended();
            }
            case Failed failed -> throw failure(failed.error());
            case Wake wake -> {
                return null;
            }
        }
    }

    private ResponseBody readerFor(int status, String contentType) {
        if (status / 100 != 2) {
            return new ErrorBody(model, status);
        }
        if (contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
            return new EventStreamBody(model, limits, decoder, answer, cancel);
        }
        // A compatible server that ignores stream: true answers whole; read it as such.
        return new WholeAnswerBody(model, limits, decoder, answer);
    }

    private LlmCallException timedOut() {
        if (reading == null) {
            return CallFailures.beforeAnswer(model, settings, new HttpTimeoutException("request timed out"));
        }
        return model.failure(
                Kind.TIMEOUT,
                model.the() + " did not finish its answer within " + Durations.seconds(settings.timeout())
                        + " (ERYAO_LLM__TIMEOUT_SECONDS)",
                true,
                null);
    }

    private LlmCallException failure(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (reading == null) {
            return CallFailures.beforeAnswer(model, settings, cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return timedOut();
        }
        if (reading instanceof ErrorBody errorBody) {
            return errorBody.failure();
        }
        if (cause instanceof CancellationException) {
            return model.failure(Kind.BROKEN_STREAM, "the call to " + model.the() + " was abandoned", true, cause);
        }
        return model.failureWithDetail(
                Kind.BROKEN_STREAM,
                "the stream from " + model.the() + " broke off before the answer ended ("
                        + cause.getClass().getSimpleName() + ")",
                String.valueOf(cause.getMessage()),
                true,
                cause);
    }

    /** Stops the exchange: the body (closing the connection) and, if no answer had started, the request. */
    private void abandon() {
        if (body.abandon() && exchange != null) {
            exchange.cancel(true);
        }
    }

    private HttpResponse.BodySubscriber<Void> subscriber(HttpResponse.ResponseInfo info) {
        events.add(new Headers(
                info.statusCode(), info.headers().firstValue("Content-Type").orElse("")));
        return body;
    }
}
