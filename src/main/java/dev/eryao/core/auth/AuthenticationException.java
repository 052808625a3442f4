package dev.eryao.core.auth;

/**
 * A request's credentials do not prove who is calling: no bearer token, or one that fails a
 * check. The message says which check failed (never the token or a key) and becomes the 401's detail.
 */
public final class AuthenticationException extends RuntimeException {
    public AuthenticationException(String message) {
        super(message);
    }
}
