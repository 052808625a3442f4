package dev.eryao.services;

/**
 * The thing asked for does not exist for this caller. Missing, soft-deleted and owned by someone
 * else are deliberately the same answer, so no caller can learn that another owner's row exists.
 */
public final class NotFoundException extends RuntimeException {
    public NotFoundException(String what) {
        super(what + " not found");
    }
}
