package dev.eryao.bench;

/** The benchmarks' waits between requests and readings. */
final class Pause {
    private Pause() {
    }

    /**
     * Sleeps {@code millis} (nothing when it is not positive: a deadline already passed). An
     * interrupt ends it early and stays set, for the caller's loop to see.
     */
    static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(0, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
