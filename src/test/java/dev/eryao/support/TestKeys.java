package dev.eryao.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Signing keys made in the test: an ES256 and an RS256 key published by a JWKS endpoint on
 * loopback (as Supabase publishes its keys), and an HS256 secret. The published set can be
 * replaced, and fetches are counted, to test key rotation and caching.
 */
public final class TestKeys implements AutoCloseable {
    public static final String HS256_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789";
    public static final String ISSUER = "https://test-project.supabase.co/auth/v1";

    public final ECKey es256 = generateEc("es-key-1");
    public final RSAKey rs256 = generateRsa("rs-key-1");
    private final AtomicReference<JWKSet> published =
            new AtomicReference<>(new JWKSet(List.of(es256.toPublicJWK(), rs256.toPublicJWK())));
    private final AtomicInteger fetches = new AtomicInteger();
    private final HttpServer jwks;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    public TestKeys() {
        try {
            jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        jwks.createContext("/auth/v1/.well-known/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = published.get().toString(true).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
    }

    public URI jwksUrl() {
        return URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/auth/v1/.well-known/jwks.json");
    }

    public int fetches() {
        return fetches.get();
    }

    public void publish(JWKSet keys) {
        published.set(keys);
    }

    /** Claims Supabase would put in a user's access token, valid for an hour. */
    public static JWTClaimsSet.Builder claims(UUID sub, String role) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .subject(sub.toString())
                .audience("authenticated")
                .claim("role", role)
                .issuer(ISSUER)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(3600)));
    }

    public String hs256(JWTClaimsSet claims) {
        return sign(
                new JWSHeader.Builder(JWSAlgorithm.HS256).build(),
                claims,
                mac(HS256_SECRET.getBytes(StandardCharsets.UTF_8)));
    }

    public String es256(JWTClaimsSet claims) {
        return es256(es256, claims);
    }

    public static String es256(ECKey key, JWTClaimsSet claims) {
        try {
            return sign(
                    new JWSHeader.Builder(JWSAlgorithm.ES256)
                            .keyID(key.getKeyID())
                            .build(),
                    claims,
                    new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public String rs256(JWTClaimsSet claims) {
        try {
            return sign(
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID(rs256.getKeyID())
                            .build(),
                    claims,
                    new RSASSASigner(rs256));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) {
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    public static MACSigner mac(byte[] secret) {
        try {
            return new MACSigner(secret);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ECKey generateEc(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static RSAKey generateRsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            jwks.stop(0);
        }
    }
}
