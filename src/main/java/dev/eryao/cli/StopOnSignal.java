package dev.eryao.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Stops a long-running command ({@code serve}, {@code worker}) when the process is told to
 * (SIGTERM, SIGINT: the JVM runs its shutdown hooks, then exits with 128 + the signal). The hook
 * is registered before anything starts: registered after, as it was, a signal that came while the
 * command was starting, or just after it said it was listening, ended the process without closing
 * anything (no run handed back, no pool closed).
 */
final class StopOnSignal {
    private final CountDownLatch closed = new CountDownLatch(1);
    private AutoCloseable running;
    private boolean stopping;

    private StopOnSignal() {}

    /** Registers the hook, named {@code name}; nothing is running yet. */
    static StopOnSignal register(String name) {
        StopOnSignal stop = new StopOnSignal();
        Runtime.getRuntime().addShutdownHook(new Thread(stop::stop, name));
        return stop;
    }

    /**
     * What the hook closes. Given after the process was told to stop, it is closed here at once
     * (the process is ending: nothing may go on starting).
     */
    void closes(AutoCloseable part) throws Exception {
        synchronized (this) {
            if (!stopping) {
                running = part;
                return;
            }
        }
        part.close();
    }

    /** Waits until the hook has closed what was running: the command's main thread, once started. */
    void awaitStop() throws InterruptedException {
        closed.await();
    }

    private void stop() {
        AutoCloseable part;
        synchronized (this) {
            stopping = true;
            part = running;
        }
        try {
            if (part != null) {
                part.close();
            }
        } catch (Exception e) {
            // The process is ending either way; what failed to close is said in one line.
            System.err.println("while stopping: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            closed.countDown();
        }
    }
}
