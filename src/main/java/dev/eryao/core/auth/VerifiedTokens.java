package dev.eryao.core.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens that passed every check, so that a client sending the same token on each request pays for
 * parsing and the signature check once instead of on every call.
 *
 * <p>An entry is trusted until the token's {@code exp} (the verifier itself would allow
 * {@link JwtVerifier#CLOCK_SKEW_SECONDS} more, so this is never more lenient) and for at most
 * {@link #MAX_AGE}, so a JWKS key withdrawn by the issuer stops being honoured within minutes even
 * for tokens it signed earlier. Only successes are kept: a refused token is checked again each time.
 * The map is bounded: when it is full it is emptied and refills with the tokens in use, which
 * costs one verification each.
 */
final class VerifiedTokens {
    static final int MAX_ENTRIES = 10_000;
    static final Duration MAX_AGE = Duration.ofMinutes(5);

    private record Entry(CurrentUser user, Instant trustedUntil) {
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** The user this token was verified as, or null when it is not known or no longer trusted. */
    CurrentUser get(String token, Instant now) {
        Entry entry = entries.get(token);
        if (entry == null) {
            return null;
        }
        if (!now.isBefore(entry.trustedUntil())) {
            entries.remove(token, entry);
            return null;
        }
        return entry.user();
    }

    void put(String token, CurrentUser user, Instant expiresAt, Instant now) {
        Instant until = now.plus(MAX_AGE);
        if (expiresAt.isBefore(until)) {
            until = expiresAt;
        }
        if (!now.isBefore(until)) {
            return;
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(token, new Entry(user, until));
    }

    int size() {
        return entries.size();
    }
}
