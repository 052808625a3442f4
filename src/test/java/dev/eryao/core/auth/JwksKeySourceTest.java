package dev.eryao.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import dev.eryao.core.config.AuthSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.support.TestKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The JWKS cache, driven by a clock the test moves: no test here waits. Fetches ahead of expiry
 * run on an executor the test owns, so a test can wait for the one it started.
 */
class JwksKeySourceTest {
    private final TestKeys keys = new TestKeys();
    private final MovableClock clock = new MovableClock();
    private final ExecutorService refreshes = Executors.newSingleThreadExecutor();
    private final JwtVerifier verifier = new JwtVerifier(
            new AuthSettings(keys.jwksUrl(), Secret.empty(), null),
            new JwksKeySource(keys.jwksUrl(), clock, refreshes),
            clock);
    private final UUID user = UUID.randomUUID();

    @AfterEach
    void stopJwksServer() {
        keys.close();
        refreshes.shutdownNow();
    }

    /** Returns once every fetch started in the background so far has finished (one thread, in order). */
    private void backgroundFetchesDone() {
        try {
            refreshes.submit(() -> {}).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private String tokenSignedWith(ECKey key) {
        Instant now = clock.instant();
        return TestKeys.es256(
                key,
                TestKeys.claims(user, "authenticated")
                        .issueTime(java.util.Date.from(now))
                        .expirationTime(java.util.Date.from(now.plusSeconds(3600)))
                        .build());
    }

    @Test
    void keysAreFetchedOnceAndReusedForTheirTimeToLive() {
        String token = tokenSignedWith(keys.es256);
        for (int i = 0; i < 5; i++) {
            assertThat(verifier.verify(token).id()).isEqualTo(user);
        }
        clock.advance(Duration.ofMinutes(2)); // before the refresh-ahead window
        verifier.verify(tokenSignedWith(keys.es256));
        assertThat(keys.fetches()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(2));
        verifier.verify(tokenSignedWith(keys.es256));
        assertThat(keys.fetches())
                .as("older than the time to live: fetched again")
                .isEqualTo(2);
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
        assertThat(keys.fetches())
                .as("the first fetch, then one refetch for the first made-up kid: " + "two fetches per 30 s at most")
                .isEqualTo(2);

        clock.advance(JwksKeySource.MIN_REFETCH_INTERVAL);
        String forged = tokenSignedWith(TestKeys.generateEc("made-up-later"));
        assertThatThrownBy(() -> verifier.verify(forged)).isInstanceOf(AuthenticationException.class);
        assertThat(keys.fetches()).as("30 s later, one more").isEqualTo(3);
    }

    @Test
    void unreachableKeysAreAServerProblemNotAnAuthenticationFailure() {
        String token = tokenSignedWith(keys.es256);
        keys.close();

        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(KeySourceUnavailableException.class);
    }

    @Test
    void aRequestNearTheEndOfTheTimeToLiveRefreshesTheKeysAheadWithoutWaitingForThem() {
        verifier.verify(tokenSignedWith(keys.es256));
        ECKey rotated = TestKeys.generateEc("es-key-2");
        keys.publish(new JWKSet(List.of(keys.es256.toPublicJWK(), rotated.toPublicJWK())));

        clock.advance(
                JwksKeySource.TIME_TO_LIVE.minus(JwksKeySource.REFRESH_AHEAD).plusSeconds(10));
        assertThat(verifier.verify(tokenSignedWith(keys.es256)).id())
                .as("answered from the cache")
                .isEqualTo(user);
        backgroundFetchesDone();
        assertThat(keys.fetches()).as("fetched in the background").isEqualTo(2);

        clock.advance(JwksKeySource.REFRESH_AHEAD); // past the first set's time to live
        assertThat(verifier.verify(tokenSignedWith(rotated)).id()).isEqualTo(user);
        assertThat(keys.fetches())
                .as("the set fetched ahead is in use: no fetch now")
                .isEqualTo(2);
    }

    @Test
    void duringAnOutageTheLastKeysServeUntilTheirMaxAgeAndNoLonger() {
        verifier.verify(tokenSignedWith(keys.es256));
        keys.close();

        clock.advance(JwksKeySource.TIME_TO_LIVE.plusMinutes(1));
        assertThat(verifier.verify(tokenSignedWith(keys.es256)).id())
                .as("past the time to live, the URL down: the keys fetched earlier")
                .isEqualTo(user);

        clock.advance(JwksKeySource.MAX_AGE.minus(JwksKeySource.TIME_TO_LIVE.plusMinutes(1)));
        String token = tokenSignedWith(keys.es256);
        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(KeySourceUnavailableException.class);
    }

    @Test
    void steadyTrafficDuringAnOutageDoesNotStretchTheKeysPastTheirMaxAge() {
        verifier.verify(tokenSignedWith(keys.es256));
        keys.close();

        Duration step = Duration.ofSeconds(20);
        List<Duration> acceptedAt = new ArrayList<>();
        List<Duration> refusedAt = new ArrayList<>();
        for (Duration since = step;
                since.compareTo(JwksKeySource.MAX_AGE.plusMinutes(2)) <= 0;
                since = since.plus(step)) {
            clock.advance(step);
            try {
                verifier.verify(tokenSignedWith(keys.es256));
                acceptedAt.add(since);
            } catch (KeySourceUnavailableException e) {
                refusedAt.add(since);
            }
            backgroundFetchesDone();
        }
        assertThat(acceptedAt)
                .as("tolerated past the time to live")
                .anyMatch(since -> since.compareTo(JwksKeySource.TIME_TO_LIVE) > 0);
        assertThat(acceptedAt)
                .as("never at or past the max age")
                .allMatch(since -> since.compareTo(JwksKeySource.MAX_AGE) < 0);
        assertThat(refusedAt).isNotEmpty();
    }
}
