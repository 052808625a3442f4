package dev.eryao.core.config;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How the API verifies Supabase Auth JWTs, bound from {@code ERYAO_AUTH__*}. Either key source or
 * both may be set; with neither, {@code serve} on the embedded database makes a local HS256
 * secret, and on a configured database refuses to start. The constructor refuses a secret too short
 * for HS256, a JWKS URL that is not http(s), and a secret API key not of Supabase's shape.
 *
 * @param jwksUrl   {@code ERYAO_AUTH__JWKS_URL}: Supabase's
 *                  {@code https://<project>.supabase.co/auth/v1/.well-known/jwks.json} (ES256/RS256 keys), or null
 * @param jwtSecret {@code ERYAO_AUTH__JWT_SECRET}: the project's legacy HS256 secret, or empty
 * @param issuer    {@code ERYAO_AUTH__ISSUER}: when set, a token's {@code iss} must equal it, or null
 * @param secretKeys {@code ERYAO_AUTH__SECRET_KEYS}: Supabase secret API keys ({@code sb_secret_…},
 *                  comma-separated) that reach the admin routes, in the {@code apikey} header or as
 *                  a bearer; each held as a {@link Secret}, so never printed
 * @param localSecret {@code jwtSecret} is the local one {@code serve} made because nothing was
 *                  configured (never read from a variable): see {@link #offersLocalTokens()}
 */
public record AuthSettings(URI jwksUrl, Secret jwtSecret, String issuer, List<Secret> secretKeys, boolean localSecret) {
    /** HS256 needs a key of at least 256 bits; Supabase's legacy secrets are longer. */
    public static final int MIN_SECRET_BYTES = 32;

    /** How Supabase's secret API keys begin; its publishable (anon) keys begin {@code sb_publishable_}. */
    public static final String SECRET_KEY_PREFIX = "sb_secret_";
    /** Supabase's secret keys are {@code sb_secret_} and 32 or more characters of randomness. */
    public static final int MIN_SECRET_KEY_CHARS = SECRET_KEY_PREFIX.length() + 20;

    static final String PREFIX = "ERYAO_AUTH__";

    public AuthSettings {
        if (jwksUrl != null) {
            httpUrl(PREFIX + "JWKS_URL", jwksUrl.toString());
        }
        SettingsException.required(PREFIX + "JWT_SECRET", jwtSecret);
        if (!jwtSecret.isEmpty() && jwtSecret.reveal().getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new SettingsException(PREFIX + "JWT_SECRET is too short: HS256 needs at least " + MIN_SECRET_BYTES
                    + " bytes (Supabase: Project Settings > API > JWT secret)");
        }
        secretKeys = List.copyOf(secretKeys);
        for (int i = 0; i < secretKeys.size(); i++) {
            checkSecretKey(
                    PREFIX + "SECRET_KEYS entry " + (i + 1) + " of " + secretKeys.size(),
                    secretKeys.get(i).reveal());
        }
        if (localSecret && (jwksUrl != null || jwtSecret.isEmpty())) {
            throw new IllegalArgumentException("a local secret is one serve made where no key source was configured");
        }
    }

    /** Settings read from variables: the secret, if any, is the configured one. */
    public AuthSettings(URI jwksUrl, Secret jwtSecret, String issuer, List<Secret> secretKeys) {
        this(jwksUrl, jwtSecret, issuer, secretKeys, false);
    }

    /** Settings without secret API keys. */
    public AuthSettings(URI jwksUrl, Secret jwtSecret, String issuer) {
        this(jwksUrl, jwtSecret, issuer, List.of());
    }

    static AuthSettings read(VariableReader env) {
        String jwks = env.optionalString(PREFIX + "JWKS_URL");
        Secret secret = env.secret(PREFIX + "JWT_SECRET");
        return new AuthSettings(
                jwks == null ? null : httpUrl(PREFIX + "JWKS_URL", jwks),
                secret,
                env.optionalString(PREFIX + "ISSUER"),
                secretKeys(env.secret(PREFIX + "SECRET_KEYS")));
    }

    /** The comma-separated keys, stripped; the constructor checks each one's shape, naming the entry, not the key. */
    static List<Secret> secretKeys(Secret listed) {
        if (listed.isEmpty()) {
            return List.of();
        }
        List<Secret> keys = new ArrayList<>();
        for (String entry : listed.reveal().split(",", -1)) {
            keys.add(Secret.of(entry.strip()));
        }
        return keys;
    }

    private static void checkSecretKey(String which, String key) {
        if (key.startsWith("sb_publishable_")) {
            throw new SettingsException(
                    which + " is a publishable key: only secret keys (sb_secret_...) may" + " reach the admin routes");
        }
        if (!key.startsWith(SECRET_KEY_PREFIX)
                || key.length() < MIN_SECRET_KEY_CHARS
                || key.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new SettingsException(which + " is not a Supabase secret API key: expected sb_secret_ and at"
                    + " least 20 more printable characters (Supabase: Project Settings > API Keys)");
        }
    }

    public static AuthSettings none() {
        return new AuthSettings(null, Secret.empty(), null, List.of());
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

    /** The same settings with another HS256 secret. */
    public AuthSettings withSecret(Secret newSecret) {
        return new AuthSettings(jwksUrl, newSecret, issuer, secretKeys);
    }

    /** The same settings with the local HS256 secret {@code serve} makes when nothing is configured. */
    public AuthSettings withLocalSecret(Secret local) {
        return new AuthSettings(jwksUrl, local, issuer, secretKeys, true);
    }

    /**
     * Whether the API may mint user tokens itself ({@code /local/token}, for the chat page's button):
     * only when it signs with its own local secret and nothing of Supabase's is configured — no JWKS
     * URL, no JWT secret, no secret API keys — since tokens then come from Supabase Auth alone.
     */
    public boolean offersLocalTokens() {
        return localSecret && jwksUrl == null && secretKeys.isEmpty();
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
