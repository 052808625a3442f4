package dev.eryao.provider;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Stops a {@link ChatCompletionsClient#stream streamed call} from another thread: the run was
 * cancelled, or its session deleted. One signal serves one call.
 *
 * <p>{@link #cancel()} returns only once no delta is being delivered and none will be: a delta the
 * listener is handling when cancel is called finishes first (so cancel waits for it), and the
 * reader checks the signal under the same lock before handing over the next one. Whoever cancels
 * can therefore treat what the listener has seen as final. Cancelling from inside the listener is
 * allowed (the lock is re-entrant); a listener must not wait on a thread that is cancelling.
 */
public final class CancelSignal {
    private final ReentrantLock delivery = new ReentrantLock();
    private final List<Runnable> onCancel = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    /** Idempotent: repeating it, or cancelling after the call ended, is harmless. */
    public void cancel() {
        delivery.lock();
        try {
            if (cancelled) {
                return;
            }
            cancelled = true;
        } finally {
            delivery.unlock();
        }
        onCancel.forEach(Runnable::run);
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Runs {@code delivery} unless cancelled, holding off {@link #cancel()} while it runs; false if cancelled. */
    boolean deliverUnlessCancelled(Runnable action) {
        delivery.lock();
        try {
            if (cancelled) {
                return false;
            }
            action.run();
            return true;
        } finally {
            delivery.unlock();
        }
    }

    /**
     * Runs {@code action} when the call is cancelled (at once if it already is), for work outside
     * this package that must be cut short (a tool call); returns what unregisters it.
     */
    public Runnable onCancel(Runnable action) {
        return whenCancelled(action);
    }

    /** Wakes the reading call at once instead of at its next look at the signal. */
    Runnable whenCancelled(Runnable action) {
        onCancel.add(action);
        if (cancelled) {
            action.run();
        }
        return () -> onCancel.remove(action);
    }
}
