package dev.eryao.services;

/** The request contradicts data that exists (a name in use, an idempotency key used differently); nothing was written. */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
