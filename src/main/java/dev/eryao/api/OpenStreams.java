package dev.eryao.api;

import dev.eryao.core.db.Notifications;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event streams this server has open, so that stopping it ends them first. Jetty recycles a
 * request when the server stops; a stream whose handler returned after that sent Javalin round its
 * error handling without end (a warning logged per turn). So {@link #closeAll} closes every
 * stream's client and wakes its loop while the server still runs, waits a moment for them to
 * return, and only then is the server stopped.
 */
final class OpenStreams {
    private record Open(SseClient client, Notifications.Subscription signal) {}

    private final Set<Open> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    /** Runs {@code stream} (a stream's whole life) as one of the open streams; at once ends it when closing. */
    void follow(SseClient client, Notifications.Subscription signal, Runnable stream) {
        Open entry = new Open(client, signal);
        open.add(entry);
        try {
            if (closing) {
                signal.close();
                client.close();
                return;
            }
            stream.run();
        } finally {
            open.remove(entry);
        }
    }

    /** Ends every open stream and waits up to {@code patience} for their handlers to return. */
    void closeAll(Duration patience) {
        closing = true;
        for (Open entry : open) {
            entry.client().close();
            entry.signal().wake();
        }
        long deadline = System.nanoTime() + patience.toNanos();
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** How many streams are open (metrics, tests). */
    int count() {
        return open.size();
    }
}
