package dev.eryao.services;

/** A run or a debit needs more points than the owner has available; nothing was written. */
public final class InsufficientPointsException extends RuntimeException {
    private final long available;
    private final long requested;

    /**
     * @param available the owner's balance minus what open runs hold
     * @param requested what the refused run would hold, or the debit's amount
     */
    public InsufficientPointsException(long available, long requested) {
        super("not enough points: " + requested + " needed, " + available + " available");
        this.available = available;
        this.requested = requested;
    }

    public long available() {
        return available;
    }

    public long requested() {
        return requested;
    }
}
