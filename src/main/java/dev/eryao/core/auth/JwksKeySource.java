package dev.eryao.core.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.CachingJWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSetBasedJWKSource;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.OutageTolerantJWKSetSource;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.events.Event;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supabase's public signing keys, fetched from its JWKS URL and chosen by {@code kid}, through
 * nimbus's own JWK set source ({@link JWKSourceBuilder}): a cache with a time to live, refreshed
 * ahead of its expiry, a rate limit and outage tolerance.
 *
 * <ul>
 *   <li>The fetched set is used for {@link #TIME_TO_LIVE}, so a key Supabase revokes stops being
 *       accepted within that time. A request in the last {@link #REFRESH_AHEAD} of that time
 *       starts a fetch in the background and is answered from the cache, so requests do not wait
 *       for the regular refetch.</li>
 *   <li>A token whose {@code kid} is not in the set causes a refetch (keys are rotated by
 *       publishing the new one first). Fetches of every kind are rate limited to two per
 *       {@link #MIN_REFETCH_INTERVAL} (nimbus keeps the second for just such a rotation), so
 *       tokens with made-up key ids cannot turn each request into a request to Supabase: past the
 *       limit such a token simply finds no key.</li>
 *   <li>Concurrent requests share one fetch; the others wait for it.</li>
 *   <li>A fetch gives up after {@link #FETCH_TIMEOUT} to connect and as long between reads, and
 *       refuses a body over {@link #MAX_BODY_BYTES}.</li>
 *   <li>When the URL cannot be reached, the set fetched last keeps being used until
 *       {@link #MAX_AGE} after that fetch; after that {@link KeySourceUnavailableException}
 *       (a 503, not a 401). Why this much tolerance and no more: a Supabase hiccup of a few
 *       minutes should not turn every signed-in request into a 503, yet a key is never used
 *       longer than {@link #MAX_AGE} after Supabase last published it, as before this class used
 *       nimbus. nimbus measures the tolerance from the last successful fetch, and the cache keeps a
 *       set served that way for another {@link #TIME_TO_LIVE}; so the tolerance is
 *       {@code MAX_AGE - TIME_TO_LIVE}, and it must be longer than {@code TIME_TO_LIVE} to help
 *       when the cache expires (hence a time to live of three minutes, not nimbus's default five).</li>
 * </ul>
 *
 * <p>nimbus's {@code JWKSource} reads the system clock; this class drives the same chain of
 * sources with its own {@link Clock}, so the tests move time instead of waiting.
 */
public final class JwksKeySource {
    /** How long a fetched set is used before it is fetched again. */
    public static final Duration TIME_TO_LIVE = Duration.ofMinutes(3);
    /** The longest a set is used after it was fetched, when the URL cannot be reached. */
    public static final Duration MAX_AGE = Duration.ofMinutes(10);

    public static final Duration MIN_REFETCH_INTERVAL = Duration.ofSeconds(30);
    static final Duration REFRESH_AHEAD = Duration.ofSeconds(30);
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
    /** How long a request waits for another's fetch: longer than a fetch can take. */
    private static final Duration WAIT_FOR_FETCH = Duration.ofSeconds(15);

    static final int MAX_BODY_BYTES = 1 << 20;
    private static final Logger log = LoggerFactory.getLogger(JwksKeySource.class);

    private final URI url;
    private final Clock clock;
    private final DefaultResourceRetriever retriever;
    private final JWKSetSource<SecurityContext> keys;

    public JwksKeySource(URI url, Clock clock) {
        this(url, clock, backgroundFetches());
    }

    /** @param refreshes where fetches ahead of the cache's expiry run */
    JwksKeySource(URI url, Clock clock, ExecutorService refreshes) {
        this.url = url;
        this.clock = clock;
        this.retriever = new DefaultResourceRetriever(
                (int) FETCH_TIMEOUT.toMillis(), (int) FETCH_TIMEOUT.toMillis(), MAX_BODY_BYTES);
        retriever.setHeaders(Map.of("Accept", List.of("application/json")));
        JWKSetBasedJWKSource<SecurityContext> source =
                (JWKSetBasedJWKSource<SecurityContext>) JWKSourceBuilder.create(toUrl(url), retriever)
                        .cache(TIME_TO_LIVE.toMillis(), WAIT_FOR_FETCH.toMillis())
                        .refreshAheadCache(REFRESH_AHEAD.toMillis(), this::onCacheEvent, refreshes, true, null, false)
                        .rateLimited(MIN_REFETCH_INTERVAL.toMillis())
                        .outageTolerant(MAX_AGE.minus(TIME_TO_LIVE).toMillis(), this::onOutage)
                        .build();
        this.keys = source.getJWKSetSource();
    }

    /** The public keys with this {@code kid} usable for {@code algorithm} (ES256 or RS256); may be empty. */
    public List<Key> keysFor(String kid, JWSAlgorithm algorithm) {
        if (kid == null) {
            return List.of();
        }
        JWKSelector selector = new JWKSelector(new JWKMatcher.Builder()
                .keyType(KeyType.forAlgorithm(algorithm))
                .keyID(kid)
                .keyUses(KeyUse.SIGNATURE, null)
                .algorithms(algorithm, null)
                .build());
        // One time for both reads, as nimbus's own JWKSetBasedJWKSource does.
        long now = clock.millis();
        JWKSet set = keySet(JWKSetCacheRefreshEvaluator.noRefresh(), now, false);
        List<Key> found = publicKeys(selector.select(set), kid, algorithm);
        if (found.isEmpty()) {
            // Refetched unless another request already replaced this set, and within the rate limit.
            JWKSet recent = keySet(JWKSetCacheRefreshEvaluator.referenceComparison(set), now, true);
            found = recent == null ? List.of() : publicKeys(selector.select(recent), kid, algorithm);
        }
        return found;
    }

    /**
     * How many keys the URL publishes right now, fetched afresh (for {@code eryao doctor}).
     *
     * @throws KeySourceUnavailableException when they cannot be fetched
     */
    public int fetchKeyCount() {
        try {
            return new URLBasedJWKSetSource<>(toUrl(url), retriever)
                    .getJWKSet(JWKSetCacheRefreshEvaluator.forceRefresh(), clock.millis(), null)
                    .size();
        } catch (KeySourceException e) {
            throw unavailable(e);
        }
    }

    /** The key set, or null when {@code rateLimitedIsEmpty} and the rate limit refused a fetch. */
    private JWKSet keySet(JWKSetCacheRefreshEvaluator evaluator, long now, boolean rateLimitedIsEmpty) {
        try {
            return keys.getJWKSet(evaluator, now, null);
        } catch (RateLimitReachedException e) {
            if (rateLimitedIsEmpty) {
                return null;
            }
            throw unavailable(e);
        } catch (KeySourceException e) {
            throw unavailable(e);
        }
    }

    private KeySourceUnavailableException unavailable(KeySourceException e) {
        log.warn("cannot fetch signing keys from {}: {}", url, e.getMessage());
        return new KeySourceUnavailableException("the signing keys cannot be fetched right now", e);
    }

    private static List<Key> publicKeys(List<JWK> matching, String kid, JWSAlgorithm algorithm) {
        List<Key> found = new ArrayList<>();
        for (JWK jwk : matching) {
            try {
                if (JWSAlgorithm.ES256.equals(algorithm)
                        && jwk instanceof ECKey ec
                        && Curve.P_256.equals(ec.getCurve())) {
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

    private void onCacheEvent(Event<CachingJWKSetSource<SecurityContext>, SecurityContext> event) {
        if (event instanceof CachingJWKSetSource.RefreshCompletedEvent<SecurityContext> done) {
            log.info("{} signing key(s) in use from {}", done.getJWKSet().size(), url);
        }
    }

    private void onOutage(Event<OutageTolerantJWKSetSource<SecurityContext>, SecurityContext> event) {
        if (event instanceof OutageTolerantJWKSetSource.OutageEvent<SecurityContext> outage) {
            log.warn(
                    "cannot fetch signing keys from {} ({}): using the ones fetched earlier for {} s more",
                    url,
                    outage.getException().getMessage(),
                    outage.getRemainingTime() / 1000);
        }
    }

    /**
     * One thread for the fetches ahead of expiry, a daemon that ends when idle: a command that
     * verified one token exits without closing anything.
     */
    private static ExecutorService backgroundFetches() {
        ThreadPoolExecutor executor =
                new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "eryao-jwks-refresh");
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    private static URL toUrl(URI url) {
        try {
            return url.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the JWKS URL is not a URL: " + url, e);
        }
    }
}
