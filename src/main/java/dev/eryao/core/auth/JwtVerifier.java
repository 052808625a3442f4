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
 * {@code exp} (required) and {@code nbf} with {@link #CLOCK_SKEW_SECONDS} of skew, a {@code role}
 * other than {@code anon}, and then either of two shapes:
 * <ul>
 *   <li>a user's access token: {@code aud} containing {@code authenticated}, {@code iss} when an
 *       issuer is configured, {@code sub} a UUID;</li>
 *   <li>Supabase's service_role API key, exactly as Supabase issues it: {@code role: service_role},
 *       {@code iss: supabase} (or the configured issuer), no {@code sub}, no {@code aud} needed.
 *       It identifies no user, so only the admin routes take it.</li>
 * </ul>
 * Supabase's newer, opaque API keys ({@code sb_…}, not JWTs) are checked apart: a secret key listed
 * in {@code ERYAO_AUTH__SECRET_KEYS} stands for the service role ({@link SecretApiKeys}); a
 * publishable key, like the legacy anon key, is never accepted.
 *
 * <p>An anonymous Supabase user ({@code is_anonymous: true}, role {@code authenticated}, a real
 * {@code sub}) is a user like any other on the user routes: what it makes is its own, keyed by its
 * {@code sub}, which survives when it later links an e-mail or OAuth identity, and spending needs
 * points that only an administrator grants, so it cannot run up LLM costs. A token that says
 * {@code is_anonymous} with any other role is refused.
 *
 * <p>A token that passed is remembered ({@link VerifiedTokens}) until its {@code exp}, for at most
 * five minutes, so the checks run once per token rather than once per request.
 */
public final class JwtVerifier {
    public static final String AUDIENCE = "authenticated";
    public static final int CLOCK_SKEW_SECONDS = 30;
    private static final Set<String> ACCEPTED_ROLES = Set.of(CurrentUser.AUTHENTICATED, CurrentUser.SERVICE_ROLE);
    /** The {@code iss} of the API keys Supabase signs with the project's JWT secret. */
    public static final String SUPABASE_KEY_ISSUER = "supabase";

    private static final String ANON = "anon";
    private static final String OPAQUE_KEY_PREFIX = "sb_";
    private static final String PUBLISHABLE_KEY_PREFIX = "sb_publishable_";

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final VerifiedTokens verified;
    private final Clock clock;
    /** The checks only a user's token must pass (the processor checked the signature and times). */
    private final DefaultJWTClaimsVerifier<SecurityContext> userClaims;

    private final String issuer;
    private final SecretApiKeys secretKeys;

    /** @param jwks the JWKS key source, or null when {@code ERYAO_AUTH__JWKS_URL} is unset */
    public JwtVerifier(AuthSettings settings, JwksKeySource jwks, Clock clock) {
        if (settings.unconfigured()) {
            throw new IllegalArgumentException("no JWKS URL and no JWT secret: nothing could verify a token");
        }
        this.clock = clock;
        this.verified = new VerifiedTokens(clock);
        Key secret = settings.jwtSecret().isEmpty()
                ? null
                : new SecretKeySpec(settings.jwtSecret().reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        processor.setJWSKeySelector(new ByAlgorithm(secret, jwks));
        JWTClaimsSet exact = settings.requiredIssuer()
                .map(issuer -> new JWTClaimsSet.Builder().issuer(issuer).build())
                .orElseGet(() -> new JWTClaimsSet.Builder().build());
        this.userClaims = timed(new DefaultJWTClaimsVerifier<>(Set.of(AUDIENCE), exact, Set.of("sub", "exp"), null) {
            @Override
            protected java.util.Date currentTime() {
                return java.util.Date.from(clock.instant());
            }
        });
        this.issuer = settings.requiredIssuer().orElse(null);
        this.secretKeys = new SecretApiKeys(settings.secretKeys());
        // Every token: a valid signature, exp present and not passed, nbf passed. The rest by shape.
        processor.setJWTClaimsSetVerifier(
                timed(new DefaultJWTClaimsVerifier<>(null, new JWTClaimsSet.Builder().build(), Set.of("exp"), null) {
                    @Override
                    protected java.util.Date currentTime() {
                        return java.util.Date.from(clock.instant());
                    }
                }));
    }

    private static DefaultJWTClaimsVerifier<SecurityContext> timed(DefaultJWTClaimsVerifier<SecurityContext> claims) {
        claims.setMaxClockSkew(CLOCK_SKEW_SECONDS);
        return claims;
    }

    /** Builds the verifier the settings call for, with a JWKS source when a URL is set. */
    public static JwtVerifier from(AuthSettings settings, Clock clock) {
        JwksKeySource jwks =
                settings.jwks().map(url -> new JwksKeySource(url, clock)).orElse(null);
        return new JwtVerifier(settings, jwks, clock);
    }

    /**
     * @throws AuthenticationException         when the token fails any check
     * @throws KeySourceUnavailableException when the JWKS keys are needed and cannot be fetched
     */
    public CurrentUser verify(String token) {
        if (token.startsWith(OPAQUE_KEY_PREFIX)) {
            return opaqueKey(token);
        }
        CurrentUser known = verified.get(token);
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
        CurrentUser user = callerOf(claims);
        verified.put(token, user, claims.getExpirationTime().toInstant());
        return user;
    }

    /** How many verified tokens are remembered now (for tests). */
    long rememberedTokens() {
        return verified.size();
    }

    /** Sorts a verified token by its shape: the anon key, the service_role key, or a user's token. */
    private CurrentUser callerOf(JWTClaimsSet claims) {
        Object role = claims.getClaim("role");
        if (ANON.equals(role)) {
            throw new AuthenticationException("the anon key cannot call this API: sign in as a user"
                    + " (or, for admin routes, use the service_role key or a secret API key)");
        }
        if (Boolean.TRUE.equals(claims.getClaim("is_anonymous")) && !CurrentUser.AUTHENTICATED.equals(role)) {
            throw new AuthenticationException("an anonymous user's token must have role 'authenticated'");
        }
        if (CurrentUser.SERVICE_ROLE.equals(role) && claims.getSubject() == null) {
            if (!SUPABASE_KEY_ISSUER.equals(claims.getIssuer())
                    && (issuer == null || !issuer.equals(claims.getIssuer()))) {
                throw new AuthenticationException("a service_role key must be issued by Supabase (iss 'supabase')");
            }
            return CurrentUser.serviceKey();
        }
        try {
            userClaims.verify(claims, null);
        } catch (BadJOSEException e) {
            throw new AuthenticationException("the bearer token was rejected: " + e.getMessage());
        }
        return userOf(claims);
    }

    /** Supabase's opaque API keys; neither the key nor any part of it is ever put in a message. */
    private CurrentUser opaqueKey(String key) {
        if (key.startsWith(PUBLISHABLE_KEY_PREFIX)) {
            throw new AuthenticationException("a publishable key cannot call this API: sign in as a user"
                    + " (or, for admin routes, use a secret API key)");
        }
        if (key.startsWith(AuthSettings.SECRET_KEY_PREFIX) && secretKeys.matches(key)) {
            return CurrentUser.serviceKey();
        }
        throw new AuthenticationException("the API key is not one of the secret keys in ERYAO_AUTH__SECRET_KEYS");
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
            throw new AuthenticationException(
                    "a token with role '" + checkedRole + "' cannot call this API: " + "sign in as a user");
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
