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
            new JwksKeySource(keys.jwksUrl(), clock), clock);
    private final UUID user = UUID.randomUUID();

    @AfterEach
    void stopJwksServer() {
        keys.close();
    }

    private JWTClaimsSet claimsValidFor(Duration lifetime) {
        Instant now = clock.instant();
        return TestKeys.claims(user, "authenticated")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(lifetime))).build();
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
        assertThat(verifier.rememberedTokens()).as("refused tokens are not remembered").isEqualTo(1);
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
        clock.advance(Duration.ofMinutes(11));   // past the keys' 10 minutes and the memory's 5

        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(AuthenticationException.class);
        assertThat(keys.fetches()).isEqualTo(2);
    }

    @Test
    void theMemoryIsBounded() {
        VerifiedTokens tokens = new VerifiedTokens();
        Instant now = Instant.now();
        CurrentUser someone = new CurrentUser(user, CurrentUser.AUTHENTICATED);
        for (int i = 0; i <= VerifiedTokens.MAX_ENTRIES; i++) {
            tokens.put("token-" + i, someone, now.plusSeconds(3600), now);
        }
        assertThat(tokens.size()).isLessThanOrEqualTo(VerifiedTokens.MAX_ENTRIES);
        assertThat(tokens.get("token-" + VerifiedTokens.MAX_ENTRIES, now)).isEqualTo(someone);
    }
}
