package dev.eryao.core.auth;

/**
 * The signing keys could not be fetched, so no ES256/RS256 token can be checked right now. This is
 * the server's problem, not the caller's: the API answers 503, not 401.
 */
public final class KeySourceUnavailableException extends RuntimeException {
    public KeySourceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
