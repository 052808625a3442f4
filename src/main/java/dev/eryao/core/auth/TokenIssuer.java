package dev.eryao.core.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.eryao.core.config.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Signs HS256 tokens shaped like Supabase's ({@code sub}, {@code role}, {@code aud:
 * authenticated}, {@code iat}, {@code exp}, optional {@code iss}) for local use: {@code bin/eryao
 * token}. The API never issues tokens; Supabase Auth does.
 */
public final class TokenIssuer {
    private final Secret secret;
    private final String issuer;

    /** @param issuer the {@code iss} to put in tokens, or null */
    public TokenIssuer(Secret secret, String issuer) {
        this.secret = secret;
        this.issuer = issuer;
    }

    public String sign(UUID subject, String role, Duration lifetime, Instant now) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(subject.toString())
                .audience(JwtVerifier.AUDIENCE)
                .claim("role", role)
                .issuer(issuer)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        try {
            jwt.sign(new MACSigner(secret.reveal().getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
