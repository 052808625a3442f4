package dev.eryao.provider;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * A response body read one network read at a time: each read is handed on as it comes (on the HTTP
 * client's thread), and the next is asked for only when the reader says so ({@link #more()}), so a
 * sender faster than the reader waits in its own socket instead of piling up in memory. The HTTP
 * client no longer uses buffers it has handed on, so they are passed as they are.
 *
 * <p>{@link #abandon()} cancels the subscription, which closes the connection, unless the body has
 * already ended: then the connection is the HTTP client's again, and cancelling could close it
 * under the next call that reuses it. A subscription that arrives after the abandon (the headers
 * came late) is cancelled as it arrives.
 */
final class PacedBody implements HttpResponse.BodySubscriber<Void> {
    private final Consumer<List<ByteBuffer>> onRead;
    private final Consumer<Throwable> onError;
    private final Runnable onEnd;
    private final CompletableFuture<Void> whole = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean ended;
    private volatile boolean abandoned;

    PacedBody(Consumer<List<ByteBuffer>> onRead, Consumer<Throwable> onError, Runnable onEnd) {
        this.onRead = onRead;
        this.onError = onError;
        this.onEnd = onEnd;
    }

    /** Asks for the next read, unless the body was abandoned. */
    void more() {
        Flow.Subscription current = subscription;
        if (current != null && !abandoned) {
            current.request(1);
        }
    }

    /** Stops reading; true when the body had not ended, so the exchange is to be aborted too. */
    boolean abandon() {
        abandoned = true;
        if (ended) {
            return false;
        }
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
        return true;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (abandoned) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        onRead.accept(buffers);
    }

    @Override
    public void onError(Throwable error) {
        onError.accept(error);
        whole.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        ended = true;
        onEnd.run();
        whole.complete(null);
    }

    @Override
    public CompletionStage<Void> getBody() {
        return whole;
    }
}
