package dev.eryao.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One {@link ChatCompletionsClient#stream} call: the HTTP client's threads put what arrives (the
 * status, each line, the end or a failure) on a queue, and the caller's thread takes it off, so
 * the listener runs on the caller's thread and the caller's thread alone decides when to stop — on
 * [DONE], a failure, a deadline or a cancel. Stopping early cancels both the exchange's future
 * (which aborts the exchange whether or not the answer has started: the future completes only
 * with the body) and the body's subscription (also one the HTTP client makes only after the
 * abandon, when the headers arrive late). Either alone closes the connection — the stream tests
 * fail only when both are left out — and the provider then sees its writes fail and stops
 * generating for us; both are done so that neither path depends on the other's timing.
 */
final class StreamedCall {
    /** How short an event's text may be quoted in an error: enough to recognise, too little to carry a conversation. */
    private static final int QUOTED_CHARS = 40;
    /** The most of a non-2xx body kept for its error. */
    private static final int ERROR_BODY_LIMIT = 4 * ChatCompletionsClient.ERROR_BODY_CHARS;

    private sealed interface Event {
    }

    private record Headers(int status, String contentType) implements Event {
    }

    private record Line(String text) implements Event {
    }

    private record Ended() implements Event {
    }

    private record Failed(Throwable error) implements Event {
    }

    /** Put by {@link CancelSignal#cancel()} so the reader need not wait for the next line to notice. */
    private record Wake() implements Event {
    }

    /** What the answer turned out to be, once its status is known. */
    private enum Mode { AWAITING_HEADERS, EVENTS, WHOLE, ERROR }

    private final ChatCompletionsClient client;
    private final ChatRequest call;
    private final DeltaListener onDelta;
    private final CancelSignal cancel;
    private final String url;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    /** How long the end of the body may take once the answer is whole ({@link #readToTheEnd}). */
    private static final java.time.Duration END_WAIT = java.time.Duration.ofSeconds(2);
    private volatile Flow.Subscription subscription;
    /** The body has been read to its end: the connection is the HTTP client's again, for other calls. */
    private volatile boolean bodyEnded;
    private volatile boolean abandoned;
    private CompletableFuture<HttpResponse<Void>> exchange;

    private Mode mode = Mode.AWAITING_HEADERS;
    private int status;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder other = new StringBuilder();
    private StringBuilder data;
    private String finishReason;
    private Integer promptTokens;
    private Integer completionTokens;
    private boolean done;

    StreamedCall(ChatCompletionsClient client, ChatRequest call, DeltaListener onDelta, CancelSignal cancel) {
        this.client = client;
        this.call = call;
        this.onDelta = onDelta;
        this.cancel = cancel;
        this.url = call.requestUrl();
    }

    Completion run(HttpClient http, HttpRequest request) {
        long timeout = TimeUnit.SECONDS.toNanos(client.settings().timeoutSeconds());
        long idle = TimeUnit.SECONDS.toNanos(client.settings().idleSeconds());
        long start = System.nanoTime();
        long deadline = start + timeout;
        long idleDeadline = start + idle;
        Runnable unregister = cancel.whenCancelled(() -> events.add(new Wake()));
        try {
            exchange = http.sendAsync(request, this::subscriber);
            exchange.whenComplete((response, error) -> {
                if (error != null) {
                    events.add(new Failed(error));
                }
            });
            while (true) {
                if (cancel.isCancelled()) {
                    return stopped();
                }
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    throw timedOut();
                }
                if (now - idleDeadline >= 0) {
                    throw new LlmCallException("the model at " + url + " sent nothing for "
                            + client.settings().idleSeconds() + " s (ERYAO_LLM__IDLE_SECONDS)", true, null);
                }
                Event event = events.poll(Math.min(deadline - now, idleDeadline - now), TimeUnit.NANOSECONDS);
                if (event == null || event instanceof Wake) {
                    continue;
                }
                if (event instanceof Headers || event instanceof Line) {
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
     * was at times handed back half-read, and the next call on it broke off mid-answer.
     */
    private void readToTheEnd() throws InterruptedException {
        long until = System.nanoTime() + END_WAIT.toNanos();
        for (long left = END_WAIT.toNanos(); left > 0; left = until - System.nanoTime()) {
            Event event = events.poll(left, TimeUnit.NANOSECONDS);
            if (event == null || event instanceof Ended || event instanceof Failed) {
                return;
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
                } else if (headers.contentType().toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
                    mode = Mode.EVENTS;
                } else {
                    // A compatible server that ignores stream: true answers whole; read it as such.
                    mode = Mode.WHOLE;
                }
                return null;
            }
            case Line line -> {
                switch (mode) {
                    case EVENTS -> {
                        return line(line.text()) ? finished() : null;
                    }
                    case ERROR -> {
                        if (other.length() < ERROR_BODY_LIMIT) {
                            other.append(line.text()).append('\n');
                        }
                    }
                    default -> other.append(line.text()).append('\n');
                }
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

    private Completion ended() {
        switch (mode) {
            case ERROR -> throw ChatCompletionsClient.statusFailure(url, status, other.toString());
            case WHOLE -> {
                Completion whole = client.parse(url, status, other.toString());
                if (!whole.content().isEmpty() && !deliver(whole.content())) {
                    return stopped();
                }
                return whole;
            }
            default -> {
                // Servers are asked for a blank line after each event; an unterminated last one still counts.
                if (data != null && dispatch()) {
                    return finished();
                }
                if (finishReason != null) {
                    return finished();
                }
                throw new LlmCallException("the stream from the model at " + url
                        + " ended before the answer did (no finish_reason, no [DONE])", true, null);
            }
        }
    }

    /**
     * One line of server-sent events: a field ({@code data: ...}), a comment ({@code : ...}) or the
     * blank line that ends an event. True once {@code [DONE]} has come.
     */
    private boolean line(String line) {
        if (line.isEmpty()) {
            return data != null && dispatch();
        }
        if (line.startsWith(":")) {
            return false;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        if (!field.equals("data")) {
            return false; // event, id, retry: nothing a chat completion needs
        }
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (data == null) {
            data = new StringBuilder(value);
        } else {
            data.append('\n').append(value);
        }
        return false;
    }

    /** The event whose data lines have been gathered. True when it was {@code [DONE]}. */
    private boolean dispatch() {
        String event = data.toString();
        data = null;
        if (event.strip().equals("[DONE]")) {
            done = true;
            return true;
        }
        JsonNode chunk;
        try {
            chunk = client.json().readTree(event);
        } catch (IOException e) {
            throw malformed("an event that is not JSON", event, e);
        }
        if (chunk == null || !chunk.isObject()) {
            throw malformed("an event that is not a JSON object", event, null);
        }
        JsonNode error = chunk.path("error");
        if (!error.isMissingNode() && !error.isNull()) {
            // Providers report a failure met while generating this way, after a 200: like a stream that broke off.
            throw new LlmCallException("the model at " + url + " reported an error in its stream",
                    ChatCompletionsClient.abbreviate(error.path("message").asText(error.toString())), true, null);
        }
        JsonNode choices = chunk.path("choices");
        if (!choices.isMissingNode() && !choices.isArray()) {
            throw malformed("an event whose choices is not a list", event, null);
        }
        JsonNode choice = choices.path(0);
        JsonNode content = choice.path("delta").path("content");
        if (!content.isMissingNode() && !content.isNull() && !content.isTextual()) {
            throw malformed("an event whose choices[0].delta.content is not text", event, null);
        }
        if (content.isTextual() && !content.asText().isEmpty() && !deliver(content.asText())) {
            return false; // cancelled: the loop returns what was delivered
        }
        JsonNode finish = choice.path("finish_reason");
        if (finish.isTextual()) {
            finishReason = finish.asText();
        }
        JsonNode usage = chunk.path("usage");
        if (!usage.isMissingNode() && !usage.isNull()) {
            ChatCompletionsClient.checkUsage(url, usage);
            promptTokens = usage.path("prompt_tokens").asInt();
            completionTokens = usage.path("completion_tokens").asInt();
        }
        return false;
    }

    /** Hands a piece to the listener unless the call was cancelled; only what was handed over counts as produced. */
    private boolean deliver(String piece) {
        return cancel.deliverUnlessCancelled(() -> {
            text.append(piece);
            onDelta.onDelta(piece);
        });
    }

    private Completion finished() {
        return completion(false);
    }

    private Completion stopped() {
        return completion(true);
    }

    private Completion completion(boolean cancelled) {
        String produced = text.toString();
        if (promptTokens != null) {
            return new Completion(produced, promptTokens, completionTokens, finishReason, false, cancelled);
        }
        return new Completion(produced, TokenEstimate.promptTokens(call.messages(), call.contextTokens()),
                TokenEstimate.completionTokens(produced, call.maxTokens()), finishReason, true, cancelled);
    }

    private LlmCallException malformed(String what, String event, Throwable cause) {
        String prefix = event.length() <= QUOTED_CHARS ? event : event.substring(0, QUOTED_CHARS) + "...";
        return new LlmCallException("the model at " + url + " sent " + what, prefix, false, cause);
    }

    private LlmCallException timedOut() {
        if (mode == Mode.AWAITING_HEADERS) {
            return client.beforeAnswer(url, new HttpTimeoutException("request timed out"));
        }
        return new LlmCallException("the model at " + url + " did not finish its answer within "
                + client.settings().timeoutSeconds() + " s (ERYAO_LLM__TIMEOUT_SECONDS)", true, null);
    }

    private LlmCallException failure(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (mode == Mode.AWAITING_HEADERS) {
            return client.beforeAnswer(url, cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return timedOut();
        }
        if (mode == Mode.ERROR) {
            return ChatCompletionsClient.statusFailure(url, status, other.toString());
        }
        if (cause instanceof CancellationException) {
            return new LlmCallException("the call to the model at " + url + " was abandoned", true, cause);
        }
        return new LlmCallException("the stream from the model at " + url + " broke off before the answer ended ("
                + cause + ")", true, cause);
    }

    /** Stops the exchange: cancels the body (closing the connection) and, if no answer had started, the request. */
    private void abandon() {
        abandoned = true;
        if (bodyEnded) {
            // Cancelling now could close the connection under the next call that reuses it.
            return;
        }
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
        if (exchange != null) {
            exchange.cancel(true);
        }
    }

    private HttpResponse.BodySubscriber<Void> subscriber(HttpResponse.ResponseInfo info) {
        events.add(new Headers(info.statusCode(), info.headers().firstValue("Content-Type").orElse("")));
        return HttpResponse.BodySubscribers.fromLineSubscriber(new Lines(), lines -> null, StandardCharsets.UTF_8,
                null);
    }

    /** Puts each line of the body on the queue as the HTTP client reads it. */
    private final class Lines implements Flow.Subscriber<String> {
        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (abandoned) {
                s.cancel();
            } else {
                // The answer is bounded by max_tokens: buffering it all costs no more than the text kept.
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(String line) {
            events.add(new Line(line));
        }

        @Override
        public void onError(Throwable error) {
            events.add(new Failed(error));
        }

        @Override
        public void onComplete() {
            bodyEnded = true;
            events.add(new Ended());
        }
    }
}
