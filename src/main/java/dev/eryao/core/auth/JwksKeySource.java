package dev.eryao.core.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supabase's public signing keys, fetched from its JWKS URL and chosen by {@code kid}.
 *
 * <p>The fetched set is used for at most {@link #MAX_AGE}, so a key Supabase revokes stops being
 * accepted within that time. A token whose {@code kid} is not in the set causes one refetch (keys
 * are rotated by publishing the new one first), but not more often than every
 * {@link #MIN_REFETCH_INTERVAL}: otherwise tokens with made-up key ids would turn each request
 * into a request to Supabase. Concurrent requests share one fetch. When the set cannot be
 * fetched and the cached one has expired, {@link KeySourceUnavailableException}: stale keys are
 * never used past their age.
 */
public final class JwksKeySource {
    public static final Duration MAX_AGE = Duration.ofMinutes(10);
    public static final Duration MIN_REFETCH_INTERVAL = Duration.ofSeconds(30);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_BODY_CHARS = 1 << 20;
    private static final Logger log = LoggerFactory.getLogger(JwksKeySource.class);

    private final URI url;
    private final HttpClient http;
    private final Clock clock;
    private final ReentrantLock fetching = new ReentrantLock();
    private volatile Snapshot cached;

    public JwksKeySource(URI url, Clock clock) {
        this.url = url;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** The public keys with this {@code kid} usable for {@code algorithm} (ES256 or RS256); may be empty. */
    public List<Key> keysFor(String kid, JWSAlgorithm algorithm) {
        if (kid == null) {
            return List.of();
        }
        Snapshot snapshot = fresh();
        List<Key> keys = snapshot.matching(kid, algorithm);
        if (keys.isEmpty() && !snapshot.fetchedAt.plus(MIN_REFETCH_INTERVAL).isAfter(clock.instant())) {
            keys = refetch(snapshot).matching(kid, algorithm);
        }
        return keys;
    }

    /**
     * How many keys the URL publishes right now, fetched afresh (for {@code eryao doctor}).
     *
     * @throws KeySourceUnavailableException when they cannot be fetched
     */
    public int fetchKeyCount() {
        return fetch().size();
    }

    private Snapshot fresh() {
        Snapshot snapshot = cached;
        if (snapshot != null && snapshot.fetchedAt.plus(MAX_AGE).isAfter(clock.instant())) {
            return snapshot;
        }
        return refetch(snapshot);
    }

    /** Fetches unless another thread replaced {@code seen} while this one waited for the lock. */
    private Snapshot refetch(Snapshot seen) {
        fetching.lock();
        try {
            if (cached != seen) {
                return cached;
            }
            cached = new Snapshot(fetch(), clock.instant());
            return cached;
        } finally {
            fetching.unlock();
        }
    }

    private JWKSet fetch() {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(FETCH_TIMEOUT)
                .header("Accept", "application/json").GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            if (response.body().length() > MAX_BODY_CHARS) {
                throw new IOException("the key set is larger than " + MAX_BODY_CHARS + " characters");
            }
            JWKSet keys = JWKSet.parse(response.body());
            log.info("fetched {} signing key(s) from {}", keys.size(), url);
            return keys;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeySourceUnavailableException("interrupted while fetching the signing keys", e);
        } catch (IOException | ParseException e) {
            log.warn("cannot fetch signing keys from {}: {}", url, e.getMessage());
            throw new KeySourceUnavailableException("the signing keys cannot be fetched right now", e);
        }
    }

    private record Snapshot(JWKSet keys, Instant fetchedAt) {
        List<Key> matching(String kid, JWSAlgorithm algorithm) {
            List<Key> found = new ArrayList<>();
            for (JWK jwk : keys.getKeys()) {
                if (!kid.equals(jwk.getKeyID())
                        || (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse()))
                        || (jwk.getAlgorithm() != null && !algorithm.equals(jwk.getAlgorithm()))) {
                    continue;
                }
                try {
                    if (JWSAlgorithm.ES256.equals(algorithm) && jwk instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
                        found.add(ec.toECPublicKey());
                    } else if (JWSAlgorithm.RS256.equals(algorithm) && jwk instanceof RSAKey rsa) {
                        found.add(rsa.toRSAPublicKey());
                    }
                } catch (com.nimbusds.jose.JOSEException e) {
                    log.warn("ignoring malformed signing key {}: {}", kid, e.getMessage());
                }
            }
            return found;
        }
    }
}
