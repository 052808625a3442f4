package dev.eryao.provider;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A whole answer's body ({@link ChatCompletionsClient#complete}) read into a string of at most a
 * bound: past it the subscription is cancelled, which closes the connection, and the body fails
 * with {@link TooLong}. Asks for one list of buffers at a time, so nothing queues up ahead of it.
 */
final class CappedBodySubscriber implements HttpResponse.BodySubscriber<String> {
    /** The body passed its bound; an IOException because that is what the HTTP client passes on. */
    static final class TooLong extends IOException {
        private final int status;

        TooLong(int status) {
            super("the body passed its bound");
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    private final CappedBody body;
    private final int status;
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    CappedBodySubscriber(int status, long limit) {
        this.status = status;
        this.body = CappedBody.whole(limit);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer buffer : buffers) {
            if (!body.add(buffer)) {
                subscription.cancel();
                result.completeExceptionally(new TooLong(status));
                return;
            }
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable error) {
        result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        result.complete(body.text());
    }

    @Override
    public CompletionStage<String> getBody() {
        return result;
    }
}
