package dev.eryao.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import dev.eryao.core.config.AuthSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.support.TestKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The JWKS cache, driven by a clock the test moves: no test here waits. */
class JwksKeySourceTest {
    private final TestKeys keys = new TestKeys();
    private final MovableClock clock = new MovableClock();
    private final JwtVerifier verifier = new JwtVerifier(
            new AuthSettings(keys.jwksUrl(), Secret.empty(), null), new JwksKeySource(keys.jwksUrl(), clock), clock);
    private final UUID user = UUID.randomUUID();

    @AfterEach
    void stopJwksServer() {
        keys.close();
    }

    private String tokenSignedWith(ECKey key) {
        Instant now = clock.instant();
        return TestKeys.es256(key, TestKeys.claims(user, "authenticated")
                .issueTime(java.util.Date.from(now)).expirationTime(java.util.Date.from(now.plusSeconds(3600))).build());
    }

    @Test
    void keysAreFetchedOnceAndReusedForTenMinutes() {
        String token = tokenSignedWith(keys.es256);
        for (int i = 0; i < 5; i++) {
            assertThat(verifier.verify(token).id()).isEqualTo(user);
        }
        clock.advance(Duration.ofMinutes(9));
        verifier.verify(tokenSignedWith(keys.es256));
        assertThat(keys.fetches()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(2));
        verifier.verify(tokenSignedWith(keys.es256));
        assertThat(keys.fetches()).as("older than 10 minutes: fetched again").isEqualTo(2);
    }

    @Test
    void anUnknownKidRefetchesOnceSoARotatedKeyIsAccepted() {
        verifier.verify(tokenSignedWith(keys.es256));
        ECKey rotated = TestKeys.generateEc("es-key-2");
        keys.publish(new JWKSet(List.of(keys.es256.toPublicJWK(), rotated.toPublicJWK())));
        clock.advance(JwksKeySource.MIN_REFETCH_INTERVAL);

        assertThat(verifier.verify(tokenSignedWith(rotated)).id()).isEqualTo(user);
        assertThat(keys.fetches()).isEqualTo(2);
    }

    @Test
    void madeUpKidsDoNotTurnEveryRequestIntoAFetch() {
        verifier.verify(tokenSignedWith(keys.es256));
        for (int i = 0; i < 5; i++) {
            String forged = tokenSignedWith(TestKeys.generateEc("made-up-" + i));
            assertThatThrownBy(() -> verifier.verify(forged)).isInstanceOf(AuthenticationException.class);
        }
        assertThat(keys.fetches()).isEqualTo(1);
    }

    @Test
    void unreachableKeysAreAServerProblemNotAnAuthenticationFailure() {
        String token = tokenSignedWith(keys.es256);
        keys.close();

        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(KeySourceUnavailableException.class);
    }
}
