package dev.eryao.core.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Tokens that passed every check, so that a client sending the same token on each request pays for
 * parsing and the signature check once instead of on every call.
 *
 * <p>An entry is trusted until the token's {@code exp} (the verifier itself would allow
 * {@link JwtVerifier#CLOCK_SKEW_SECONDS} more, so this is never more lenient) and for at most
 * {@link #MAX_AGE}, so a JWKS key withdrawn by the issuer stops being honoured within minutes even
 * for tokens it signed earlier. Only successes are kept: a refused token is checked again each time.
 *
 * <p>A Caffeine cache holds at most {@link #MAX_ENTRIES}: past that it evicts the tokens used
 * least, so a flood of one-off tokens cannot push out the ones clients keep sending. Its time is
 * the verifier's clock, and its upkeep runs on the calling thread (no pool of its own), so an
 * expired or evicted entry is gone when the call that passed the bound returns.
 */
final class VerifiedTokens {
    static final int MAX_ENTRIES = 10_000;
    static final Duration MAX_AGE = Duration.ofMinutes(5);

    private record Entry(CurrentUser user, Instant trustedUntil) {}

    private final Clock clock;
    private final Cache<String, Entry> entries;

    VerifiedTokens(Clock clock) {
        this.clock = clock;
        this.entries = Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                .expireAfter(Expiry.<String, Entry>creating((token, entry) -> trustedFor(entry)))
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run)
                .build();
    }

    /** The user this token was verified as, or null when it is not known or no longer trusted. */
    CurrentUser get(String token) {
        Entry entry = entries.getIfPresent(token);
        // Caffeine already hides expired entries; checked again here because trusting an expired
        // token would be a security hole, not a stale cache.
        if (entry == null || !clock.instant().isBefore(entry.trustedUntil())) {
            return null;
        }
        return entry.user();
    }

    void put(String token, CurrentUser user, Instant expiresAt) {
        Instant now = clock.instant();
        Instant until = now.plus(MAX_AGE);
        if (expiresAt.isBefore(until)) {
            until = expiresAt;
        }
        if (now.isBefore(until)) {
            entries.put(token, new Entry(user, until));
        }
    }

    /** How many tokens are remembered now (after pending evictions). */
    long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }

    private Duration trustedFor(Entry entry) {
        return Duration.between(clock.instant(), entry.trustedUntil());
    }
}
