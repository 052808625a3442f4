package dev.eryao.services;

/** A debit larger than the owner's balance; nothing was charged. */
public final class InsufficientPointsException extends RuntimeException {
    private final long balance;
    private final long requested;

    public InsufficientPointsException(long balance, long requested) {
        super("insufficient points: balance " + balance + ", needed " + requested);
        this.balance = balance;
        this.requested = requested;
    }

    public long balance() {
        return balance;
    }

    public long requested() {
        return requested;
    }
}
