package dev.eryao.core.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.eryao.core.Uuids;
import dev.eryao.core.config.AuthSettings;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns a Supabase Auth access token into the {@link CurrentUser}, or refuses it with an
 * {@link AuthenticationException}.
 *
 * <p>The key is chosen by the token's algorithm, and each algorithm has exactly one source: HS256
 * only the configured secret, ES256 and RS256 only the JWKS keys with the token's {@code kid}. So
 * {@code alg: none}, an HS256 token "signed" with a public key (the algorithm-confusion attack) and
 * an algorithm whose source is not configured all find no key and fail. The claims must then pass:
 * {@code exp} (required) and {@code nbf} with {@link #CLOCK_SKEW_SECONDS} of skew, {@code aud}
 * containing {@code authenticated}, {@code iss} when an issuer is configured, {@code sub} a UUID,
 * and a {@code role} other than {@code anon}.
 *
 * <p>A token that passed is remembered ({@link VerifiedTokens}) until its {@code exp}, for at most
 * five minutes, so the checks run once per token rather than once per request.
 */
public final class JwtVerifier {
    public static final String AUDIENCE = "authenticated";
    public static final int CLOCK_SKEW_SECONDS = 30;
    private static final Set<String> ACCEPTED_ROLES = Set.of(CurrentUser.AUTHENTICATED, CurrentUser.SERVICE_ROLE);

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final VerifiedTokens verified = new VerifiedTokens();
    private final Clock clock;

    /** @param jwks the JWKS key source, or null when {@code ERYAO_AUTH__JWKS_URL} is unset */
    public JwtVerifier(AuthSettings settings, JwksKeySource jwks, Clock clock) {
        if (settings.unconfigured()) {
            throw new IllegalArgumentException("no JWKS URL and no JWT secret: nothing could verify a token");
        }
        this.clock = clock;
        Key secret = settings.jwtSecret().isEmpty() ? null
                : new SecretKeySpec(settings.jwtSecret().reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        processor.setJWSKeySelector(new ByAlgorithm(secret, jwks));
        JWTClaimsSet exact = settings.requiredIssuer()
                .map(issuer -> new JWTClaimsSet.Builder().issuer(issuer).build())
                .orElseGet(() -> new JWTClaimsSet.Builder().build());
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                Set.of(AUDIENCE), exact, Set.of("sub", "exp"), null) {
            @Override
            protected java.util.Date currentTime() {
                return java.util.Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew(CLOCK_SKEW_SECONDS);
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** Builds the verifier the settings call for, with a JWKS source when a URL is set. */
    public static JwtVerifier from(AuthSettings settings, Clock clock) {
        JwksKeySource jwks = settings.jwks().map(url -> new JwksKeySource(url, clock)).orElse(null);
        return new JwtVerifier(settings, jwks, clock);
    }

    /**
     * @throws AuthenticationException         when the token fails any check
     * @throws KeySourceUnavailableException when the JWKS keys are needed and cannot be fetched
     */
    public CurrentUser verify(String token) {
        Instant now = clock.instant();
        CurrentUser known = verified.get(token, now);
        if (known != null) {
            return known;
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new AuthenticationException("the bearer token is not a JWT");
        } catch (BadJOSEException e) {
            throw new AuthenticationException("the bearer token was rejected: " + e.getMessage());
        } catch (JOSEException e) {
            throw new AuthenticationException("the bearer token could not be verified: " + e.getMessage());
        }
        CurrentUser user = userOf(claims);
        verified.put(token, user, claims.getExpirationTime().toInstant(), now);
        return user;
    }

    /** How many verified tokens are remembered now (for tests). */
    int rememberedTokens() {
        return verified.size();
    }

    private static CurrentUser userOf(JWTClaimsSet claims) {
        String sub = claims.getSubject();
        if (!Uuids.isCanonical(sub) || Uuids.NIL.equals(Uuids.parseCanonical(sub))) {
            throw new AuthenticationException("the token's sub is not a user id (a non-nil UUID, 8-4-4-4-12 hex)");
        }
        UUID id = Uuids.parseCanonical(sub);
        Object role = claims.getClaim("role");
        String checkedRole = role == null ? CurrentUser.AUTHENTICATED : role.toString();
        if (!ACCEPTED_ROLES.contains(checkedRole)) {
            throw new AuthenticationException("a token with role '" + checkedRole + "' cannot call this API: "
                    + "sign in as a user");
        }
        return new CurrentUser(id, checkedRole);
    }

    /** One key source per algorithm; anything else gets no key and so fails verification. */
    private record ByAlgorithm(Key secret, JwksKeySource jwks) implements JWSKeySelector<SecurityContext> {
        @Override
        public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) {
            JWSAlgorithm algorithm = header.getAlgorithm();
            if (JWSAlgorithm.HS256.equals(algorithm)) {
                return secret == null ? List.of() : List.of(secret);
            }
            if (JWSAlgorithm.ES256.equals(algorithm) || JWSAlgorithm.RS256.equals(algorithm)) {
                return jwks == null ? List.of() : jwks.keysFor(header.getKeyID(), algorithm);
            }
            return List.of();
        }
    }
}
