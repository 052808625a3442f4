package dev.eryao.repositories;

/** An owner's points: the balance, and how much of it open runs hold. */
public record PointsAccount(long balance, long held) {
    /** What a new run or a debit may take. */
    public long available() {
        return balance - held;
    }
}
