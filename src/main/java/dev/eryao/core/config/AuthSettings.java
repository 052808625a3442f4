package dev.eryao.core.config;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * How the API verifies Supabase Auth JWTs, bound from {@code ERYAO_AUTH__*}. Either key source or
 * both may be set; with neither, {@code serve} on the embedded database makes a local HS256
 * secret, and on a configured database refuses to start.
 *
 * @param jwksUrl   {@code ERYAO_AUTH__JWKS_URL}: Supabase's
 *                  {@code https://<project>.supabase.co/auth/v1/.well-known/jwks.json} (ES256/RS256 keys), or null
 * @param jwtSecret {@code ERYAO_AUTH__JWT_SECRET}: the project's legacy HS256 secret, or empty
 * @param issuer    {@code ERYAO_AUTH__ISSUER}: when set, a token's {@code iss} must equal it, or null
 */
public record AuthSettings(URI jwksUrl, Secret jwtSecret, String issuer) {
    /** HS256 needs a key of at least 256 bits; Supabase's legacy secrets are longer. */
    public static final int MIN_SECRET_BYTES = 32;

    static final String PREFIX = "ERYAO_AUTH__";

    static AuthSettings read(VariableReader env) {
        String jwks = env.optionalString(PREFIX + "JWKS_URL");
        Secret secret = env.secret(PREFIX + "JWT_SECRET");
        if (!secret.isEmpty() && secret.reveal().getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new SettingsException(PREFIX + "JWT_SECRET is too short: HS256 needs at least "
                    + MIN_SECRET_BYTES + " bytes (Supabase: Project Settings > API > JWT secret)");
        }
        return new AuthSettings(jwks == null ? null : httpUrl(PREFIX + "JWKS_URL", jwks), secret,
                env.optionalString(PREFIX + "ISSUER"));
    }

    public static AuthSettings none() {
        return new AuthSettings(null, Secret.empty(), null);
    }

    /** True when neither a JWKS URL nor a secret is set. */
    public boolean unconfigured() {
        return jwksUrl == null && jwtSecret.isEmpty();
    }

    public Optional<URI> jwks() {
        return Optional.ofNullable(jwksUrl);
    }

    public Optional<String> requiredIssuer() {
        return Optional.ofNullable(issuer);
    }

    /** The same settings with another HS256 secret (the local one {@code serve} makes). */
    public AuthSettings withSecret(Secret newSecret) {
        return new AuthSettings(jwksUrl, newSecret, issuer);
    }

    private static URI httpUrl(String name, String raw) {
        try {
            URI uri = URI.create(raw);
            if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new SettingsException(name + "='" + raw + "' is not accepted: expected an http(s) URL such as "
                + "https://<project>.supabase.co/auth/v1/.well-known/jwks.json");
    }
}
