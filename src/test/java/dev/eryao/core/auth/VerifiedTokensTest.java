package dev.eryao.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.eryao.core.config.AuthSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.support.TestKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Remembering verified tokens must never accept what a fresh verification would refuse: an expired
 * token, or a token whose signing key the issuer has withdrawn. Driven by a clock the test moves.
 */
class VerifiedTokensTest {
    private final TestKeys keys = new TestKeys();
    private final MovableClock clock = new MovableClock();
    private final JwtVerifier verifier = new JwtVerifier(
            new AuthSettings(keys.jwksUrl(), Secret.of(TestKeys.HS256_SECRET), null),
            new JwksKeySource(keys.jwksUrl(), clock),
            clock);
    private final UUID user = UUID.randomUUID();

    @AfterEach
    void stopJwksServer() {
        keys.close();
    }

    private JWTClaimsSet claimsValidFor(Duration lifetime) {
        Instant now = clock.instant();
        return TestKeys.claims(user, "authenticated")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .build();
    }

    @Test
    void aTokenIsCheckedOnceAndThenRemembered() {
        String token = keys.hs256(claimsValidFor(Duration.ofHours(1)));
        for (int i = 0; i < 3; i++) {
            assertThat(verifier.verify(token).id()).isEqualTo(user);
        }
        assertThat(verifier.rememberedTokens()).isEqualTo(1);

        String anon = keys.hs256(TestKeys.claims(user, "anon").build());
        assertThatThrownBy(() -> verifier.verify(anon)).isInstanceOf(AuthenticationException.class);
        assertThat(verifier.rememberedTokens())
                .as("refused tokens are not remembered")
                .isEqualTo(1);
    }

    @Test
    void aRememberedTokenIsRefusedOnceItHasExpired() {
        String token = keys.hs256(claimsValidFor(Duration.ofSeconds(60)));
        verifier.verify(token);

        clock.advance(Duration.ofSeconds(59));
        assertThat(verifier.verify(token).id()).isEqualTo(user);
        clock.advance(Duration.ofSeconds(1 + JwtVerifier.CLOCK_SKEW_SECONDS + 1));
        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("Expired JWT");
    }

    @Test
    void aRememberedTokenIsRefusedOnceItsSigningKeyIsWithdrawn() {
        String token = TestKeys.es256(keys.es256, claimsValidFor(Duration.ofHours(1)));
        assertThat(verifier.verify(token).id()).isEqualTo(user);

        ECKey replacement = TestKeys.generateEc("es-key-2");
        keys.publish(new JWKSet(List.of(replacement.toPublicJWK())));
        clock.advance(Duration.ofMinutes(11)); // past the keys' time to live and the memory's 5 minutes

        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(AuthenticationException.class);
        assertThat(keys.fetches())
                .as("the expired set, then once more for the kid it no longer has")
                .isEqualTo(3);
    }

    @Test
    void theMemoryIsBounded() {
        VerifiedTokens tokens = new VerifiedTokens(clock);
        CurrentUser someone = new CurrentUser(user, CurrentUser.AUTHENTICATED);
        Instant expires = clock.instant().plusSeconds(3600);
        for (int i = 0; i < 3 * VerifiedTokens.MAX_ENTRIES; i++) {
            tokens.put("token-" + i, someone, expires);
        }
        assertThat(tokens.size()).isLessThanOrEqualTo(VerifiedTokens.MAX_ENTRIES);
        assertThat(tokens.size()).as("full, not emptied").isGreaterThan(VerifiedTokens.MAX_ENTRIES / 2);
    }

    @Test
    void aTokenInUseStaysRememberedWhileManyOthersComeAndGo() {
        VerifiedTokens tokens = new VerifiedTokens(clock);
        CurrentUser regular = new CurrentUser(user, CurrentUser.AUTHENTICATED);
        CurrentUser other = new CurrentUser(UUID.randomUUID(), CurrentUser.AUTHENTICATED);
        Instant expires = clock.instant().plusSeconds(3600);
        tokens.put("hot", regular, expires);
        for (int i = 0; i < 3 * VerifiedTokens.MAX_ENTRIES; i++) {
            tokens.put("one-off-" + i, other, expires);
            if (i % 100 == 0) {
                assertThat(tokens.get("hot")).as("after %d one-off tokens", i).isEqualTo(regular);
            }
        }
        assertThat(tokens.get("hot")).isEqualTo(regular);
        assertThat(tokens.size()).isLessThanOrEqualTo(VerifiedTokens.MAX_ENTRIES);
    }

    @Test
    void anEntryIsNeverTrustedPastTheTokensExpiryNorPastTheMaxAge() {
        VerifiedTokens tokens = new VerifiedTokens(clock);
        CurrentUser someone = new CurrentUser(user, CurrentUser.AUTHENTICATED);
        tokens.put("short", someone, clock.instant().plusSeconds(60));
        tokens.put("long", someone, clock.instant().plusSeconds(3600));
        tokens.put("expired", someone, clock.instant());

        assertThat(tokens.get("expired")).isNull();
        clock.advance(Duration.ofSeconds(59));
        assertThat(tokens.get("short")).isEqualTo(someone);
        clock.advance(Duration.ofSeconds(1));
        assertThat(tokens.get("short")).as("at its exp").isNull();
        assertThat(tokens.get("long")).isEqualTo(someone);
        clock.advance(VerifiedTokens.MAX_AGE.minusSeconds(60));
        assertThat(tokens.get("long")).as("at the max age").isNull();
    }
}
