package dev.eryao.worker;

import dev.eryao.models.AgentRunDelta;
import dev.eryao.provider.CancelSignal;
import dev.eryao.services.AttemptCheck;
import dev.eryao.services.RunContext;
import dev.eryao.services.RunExecutionService;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the answer of the run being performed as its model writes it and stores it in pieces, on
 * a thread of its own so that reading the model never waits for the database: each write takes
 * everything that arrived since the last one began (up to {@link #PIECE_CHARS}), so pieces are written as fast as the database
 * allows and no faster. Every write, and a check-in every {@link #CHECK_INTERVAL} while the model
 * is silent, extends the lease and learns whether the run is to stop (its owner cancelled it, or
 * deleted its session) or the claim was lost; either stops the model's call through the
 * {@link CancelSignal}. So a stop takes effect within that interval, in whatever process it was
 * asked for.
 *
 * <p>The tool calls a model step asked for and their results ({@link #offerEvent}) go into the same
 * sequence, after the text that arrived before them: the stream's log is one order, numbered once.
 */
final class AnswerWriter {
    /** The longest a stop request waits to be seen while the model says nothing. */
    static final Duration CHECK_INTERVAL = Duration.ofMillis(500);
    /**
     * The most text one piece holds (at most 3 UTF-8 bytes a char, so under 64 KiB): a burst that
     * arrived during a slow write is stored as several pieces, so a stream's reader never has to
     * hold more than a page of bounded pieces.
     */
    static final int PIECE_CHARS = 16_384;

    private static final Logger log = LoggerFactory.getLogger(AnswerWriter.class);

    private final RunExecutionService runs;
    private final RunContext run;
    private final String workerId;
    private final Clock clock;
    private final CancelSignal cancel;
    /** Told once, when the first piece is stored (what the run's event streams can show first). */
    private final Runnable firstStored;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    /** What is still to be written, in order: text (a StringBuilder) and tool events (a Piece). */
    private final Deque<Object> pending = new ArrayDeque<>();

    private final Thread thread;
    private boolean ending;
    private int nextIndex;
    private volatile boolean stopRequested;
    private volatile boolean claimLost;
    private volatile Throwable failure;

    AnswerWriter(
            RunExecutionService runs,
            RunContext run,
            String workerId,
            Clock clock,
            CancelSignal cancel,
            Runnable firstStored) {
        this.firstStored = firstStored;
        this.runs = runs;
        this.run = run;
        this.workerId = workerId;
        this.clock = clock;
        this.cancel = cancel;
        this.thread = Thread.ofVirtual().name("eryao-answer-" + run.runId()).start(this::writeUntilEnded);
    }

    /** A piece to store: its kind (AgentRunDelta) and content. */
    private record Piece(String kind, String content) {}

    /** Called with each piece of the answer as it arrives, on the thread reading the model. */
    void offer(String text) {
        if (text.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            if (pending.peekLast() instanceof StringBuilder last) {
                last.append(text);
            } else {
                pending.addLast(new StringBuilder(text));
            }
            arrived.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A tool call or result ({@code kind}, its event as JSON), stored after everything offered
     * before it, as a piece of its own.
     */
    void offerEvent(String kind, String json) {
        lock.lock();
        try {
            pending.addLast(new Piece(kind, json));
            arrived.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Writes what is still pending (unless the claim was lost) and stops; returns once done. */
    void finish() throws InterruptedException {
        lock.lock();
        try {
            ending = true;
            arrived.signal();
        } finally {
            lock.unlock();
        }
        thread.join();
    }

    /** Whether a check-in learnt that the run is to stop. */
    boolean stopRequested() {
        return stopRequested;
    }

    /** Whether a check-in found the claim no longer this worker's. */
    boolean claimLost() {
        return claimLost;
    }

    /**
     * What stopped this writer other than the database being unreachable (a bug, an error of the
     * JVM's), or null. It stopped the model's call too: the attempt cannot be recorded as answered.
     */
    Throwable failure() {
        return failure;
    }

    private void writeUntilEnded() {
        try {
            writePieces();
        } catch (Throwable e) {
            failure = e;
            cancel.cancel();
        }
    }

    private void writePieces() {
        while (true) {
            Piece piece;
            boolean finishing;
            lock.lock();
            try {
                long waitNanos = CHECK_INTERVAL.toNanos();
                while (pending.isEmpty() && !ending && waitNanos > 0) {
                    waitNanos = arrived.awaitNanos(waitNanos);
                }
                piece = next();
                finishing = ending;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            if (claimLost || (piece == null && finishing)) {
                return;
            }
            if (!report(piece)) {
                if (finishing) {
                    // The outcome's own transaction stores the whole answer, or fails as this did.
                    return;
                }
                putBack(piece);
            }
        }
    }

    /** The next piece to write, taken from what is pending (the lock held); null when nothing is. */
    private Piece next() {
        Object head = pending.peekFirst();
        if (head instanceof Piece event) {
            pending.removeFirst();
            return event;
        }
        if (!(head instanceof StringBuilder text)) {
            return null;
        }
        int end = Math.min(text.length(), PIECE_CHARS);
        if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // never split a character in two
        }
        String piece = text.substring(0, end);
        text.delete(0, end);
        if (text.isEmpty()) {
            pending.removeFirst();
        }
        return new Piece(AgentRunDelta.TEXT, piece);
    }

    /** One write, or a check-in when {@code piece} is null; false when the database could not take it (the piece is kept). */
    private boolean report(Piece piece) {
        AttemptCheck checkIn;
        try {
            checkIn = piece == null
                    ? runs.checkIn(run, workerId, clock.instant())
                    : runs.append(run, workerId, nextIndex, piece.kind(), piece.content(), clock.instant());
        } catch (RuntimeException e) {
            log.warn(
                    "run {} attempt {}: cannot store its answer so far ({}); trying again",
                    run.runId(),
                    run.attempt(),
                    e.getClass().getSimpleName());
            sleepQuietly();
            return false;
        }
        if (piece != null && checkIn.claimHeld()) {
            if (nextIndex == 0) {
                firstStored.run();
            }
            nextIndex++;
        }
        if (!checkIn.claimHeld()) {
            claimLost = true;
            cancel.cancel();
        } else if (checkIn.stopRequested() && !stopRequested) {
            stopRequested = true;
            cancel.cancel();
        }
        return true;
    }

    private void putBack(Piece piece) {
        lock.lock();
        try {
            if (!piece.kind().equals(AgentRunDelta.TEXT)) {
                pending.addFirst(piece);
            } else if (pending.peekFirst() instanceof StringBuilder text) {
                text.insert(0, piece.content());
            } else {
                pending.addFirst(new StringBuilder(piece.content()));
            }
        } finally {
            lock.unlock();
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(CHECK_INTERVAL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
