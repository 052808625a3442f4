package dev.eryao.repositories;

/** What a finished run was charged, and the balance after it. */
public record Settlement(long charged, long balanceAfter) {
    /** Nothing charged and nothing held; the balance was not read. */
    public static final Settlement NONE = new Settlement(0, 0);
}
