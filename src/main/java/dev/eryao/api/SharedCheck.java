package dev.eryao.api;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A check that many callers ask at once, run once for all of them, whose answer is never older than
 * the question: each caller is answered by a check that <em>starts after it arrived</em>.
 *
 * <p>A caller that arrives while no check runs starts one (at once, or {@code spacing} after the
 * previous one started, whichever is later). A caller that finds a check running does not take its
 * answer, which was begun before the caller asked; it joins the next check, which starts when the
 * running one ends, and every caller arriving before that next check starts shares it. So at most
 * one check runs at a time, at most one starts per {@code spacing}, and however many callers come,
 * each check answers all those that arrived while the one before it ran. No answer is kept.
 *
 * <p>One exception, which errs only towards caution: an answer {@code earlyAnswer} accepts (for
 * readiness: not ready) from the check that was running when the caller arrived may answer it
 * sooner than its own check. Such an answer reaches only callers that were waiting while it was
 * found, never one that arrives after its check ended.
 *
 * <p>The check must end by itself (bound its own waits) and should not throw; a caller waits at
 * most its own bound for an answer and gets the fallback without one, or when the check threw.
 * The checks run on virtual threads.
 */
final class SharedCheck<T> {
    private final Supplier<T> check;
    private final Predicate<T> earlyAnswer;
    private final long spacingNanos;
    private final ExecutorService runner = Executors.newVirtualThreadPerTaskExecutor();
    private final Object lock = new Object();
    /** The check under way, or null; guarded by {@link #lock}. */
    private CompletableFuture<T> running;
    /** The check the callers arriving now wait for, not yet started, or null; guarded by {@link #lock}. */
    private CompletableFuture<T> next;
    /** When the last check started ({@link System#nanoTime()}); guarded by {@link #lock}. */
    private long lastStart;

    /**
     * @param check       the check itself, bounded
     * @param earlyAnswer which answers of the check already running may answer a caller that came during it
     * @param spacing     the least time between the starts of two checks
     */
    SharedCheck(Supplier<T> check, Predicate<T> earlyAnswer, Duration spacing) {
        this.check = check;
        this.earlyAnswer = earlyAnswer;
        this.spacingNanos = spacing.toNanos();
        this.lastStart = System.nanoTime() - spacingNanos;
    }

    /** The answer of a check that starts after this call, or {@code fallback} if none comes within {@code bound}. */
    T answer(Duration bound, T fallback) {
        CompletableFuture<T> earlier;
        CompletableFuture<T> fresh;
        synchronized (lock) {
            earlier = running;
            fresh = joinNext();
        }
        CompletableFuture<T> answer = fresh;
        if (earlier != null) {
            CompletableFuture<T> either = new CompletableFuture<>();
            fresh.whenComplete((value, failure) -> {
                if (failure == null) {
                    either.complete(value);
                } else {
                    either.completeExceptionally(failure);
                }
            });
            earlier.thenAccept(value -> {
                if (earlyAnswer.test(value)) {
                    either.complete(value);
                }
            });
            answer = either;
        }
        try {
            // Never cancelled here: other callers share it, and it ends by itself.
            return answer.get(bound.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return fallback;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fallback;
        }
    }

    /** The check not yet started, made (and scheduled, unless one runs) if there is none. Under {@link #lock}. */
    private CompletableFuture<T> joinNext() {
        if (next == null) {
            next = new CompletableFuture<>();
            if (running == null) {
                schedule(next);
            }
            // else the running check schedules it as it ends
        }
        return next;
    }

    /** Starts {@code round} once {@code spacing} has passed since the last start. Under {@link #lock}. */
    private void schedule(CompletableFuture<T> round) {
        long wait = lastStart + spacingNanos - System.nanoTime();
        Executor start = wait > 0 ? CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS, runner) : runner;
        start.execute(() -> run(round));
    }

    private void run(CompletableFuture<T> round) {
        synchronized (lock) {
            // round is next: next is only replaced once it has started, here.
            next = null;
            running = round;
            lastStart = System.nanoTime();
        }
        T value = null;
        RuntimeException failure = null;
        try {
            value = check.get();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            // No longer running before anyone hears its answer: a caller arriving from now on joins the next check.
            synchronized (lock) {
                running = null;
                if (next != null) {
                    schedule(next);
                }
            }
        }
        if (failure == null) {
            round.complete(value);
        } else {
            round.completeExceptionally(failure);
        }
    }
}
