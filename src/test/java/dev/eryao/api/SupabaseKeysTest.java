package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.eryao.core.auth.JwtVerifier;
import dev.eryao.core.config.AuthSettings;
import dev.eryao.core.config.Environment;
import dev.eryao.core.config.Secret;
import dev.eryao.core.config.ServerSettings;
import dev.eryao.core.config.Settings;
import dev.eryao.core.config.SettingsException;
import dev.eryao.support.TestDatabase;
import dev.eryao.support.TestKeys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Supabase's own keys against a real server over HTTP: the service_role JWT exactly as Supabase
 * issues it and the secret API keys reach the admin routes; the anon and publishable keys never do;
 * user routes still need a user's token.
 */
class SupabaseKeysTest {
    private static final String SECRET_KEY = "sb_secret_" + "Xk2P9vQ7mL4tR8wZ3nB6cD1fG5hJ0sA";
    private static final String OTHER_SECRET_KEY = "sb_secret_" + "Yk2P9vQ7mL4tR8wZ3nB6cD1fG5hJ0sB";
    private static final String PUBLISHABLE_KEY = "sb_publishable_" + "Ab3De6Gh9Jk2Mn5Pq8St1Vw4Yz7";

    private static TestKeys keys;
    private static ApiServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private final UUID user = UUID.randomUUID();

    @BeforeAll
    static void start() {
        keys = new TestKeys();
        AuthSettings auth = new AuthSettings(
                keys.jwksUrl(),
                Secret.of(TestKeys.HS256_SECRET),
                TestKeys.ISSUER,
                List.of(Secret.of(OTHER_SECRET_KEY), Secret.of(SECRET_KEY)));
        server = TestDatabase.get()
                .app()
                .api(new ServerSettings("127.0.0.1", 0, 64 * 1024), JwtVerifier.from(auth, Clock.systemUTC()))
                .start();
    }

    @AfterAll
    static void stop() {
        server.close();
        keys.close();
    }

    /** A legacy Supabase API key: what the dashboard shows as anon or service_role. */
    private static JWTClaimsSet apiKeyClaims(String role) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer("supabase")
                .claim("ref", "test-project")
                .claim("role", role)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(10 * 365 * 86_400L)))
                .build();
    }

    @Test
    void theServiceRoleKeyAsSupabaseIssuesItGrantsPoints() {
        String hs256 = keys.hs256(apiKeyClaims("service_role"));
        String es256 = keys.es256(apiKeyClaims("service_role"));
        for (String key : List.of(hs256, es256)) {
            assertThat(grant("Authorization", "Bearer " + key).statusCode()).isEqualTo(201);
        }
        assertThat(grant("apikey", hs256).statusCode())
                .as("in the apikey header too")
                .isEqualTo(201);
        assertThat(balance(
                        "Authorization",
                        "Bearer "
                                + keys.es256(
                                        TestKeys.claims(user, "authenticated").build())))
                .contains("\"balance\":3");
    }

    @Test
    void aListedSecretKeyReachesTheAdminRoutesInTheApikeyHeaderAndAsABearer() {
        assertThat(grant("apikey", SECRET_KEY).statusCode()).isEqualTo(201);
        assertThat(grant("Authorization", "Bearer " + SECRET_KEY).statusCode()).isEqualTo(201);
        assertThat(grant("apikey", OTHER_SECRET_KEY).statusCode())
                .as("every listed key")
                .isEqualTo(201);
    }

    @Test
    void anUnlistedSecretKeyIsRefusedAndNeverEchoed() {
        String unlisted = "sb_secret_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0P";
        for (String[] header : List.of(
                new String[] {"apikey", unlisted},
                new String[] {"Authorization", "Bearer " + unlisted},
                new String[] {"apikey", SECRET_KEY + "x"})) {
            HttpResponse<String> response = grant(header[0], header[1]);
            assertThat(response.statusCode()).as(header[0]).isEqualTo(401);
            assertThat(response.body())
                    .contains("ERYAO_AUTH__SECRET_KEYS")
                    .doesNotContain("Zz9Yy8")
                    .doesNotContain("Xk2P9v");
        }
    }

    @Test
    void theAnonAndPublishableKeysNeverReachTheAdminRoutes() {
        Map<String, String[]> attempts = new HashMap<>();
        String anonHs = keys.hs256(apiKeyClaims("anon"));
        attempts.put("anon JWT as bearer", new String[] {"Authorization", "Bearer " + anonHs});
        attempts.put("anon JWT in apikey", new String[] {"apikey", anonHs});
        attempts.put("anon JWT from the JWKS", new String[] {"apikey", keys.es256(apiKeyClaims("anon"))});
        attempts.put("publishable key in apikey", new String[] {"apikey", PUBLISHABLE_KEY});
        attempts.put("publishable key as bearer", new String[] {"Authorization", "Bearer " + PUBLISHABLE_KEY});
        attempts.forEach((what, header) -> {
            HttpResponse<String> response = grant(header[0], header[1]);
            assertThat(response.statusCode()).as(what).isEqualTo(401);
            assertThat(response.body()).as(what).doesNotContain(PUBLISHABLE_KEY).doesNotContain(anonHs);
        });
        assertThat(grant(
                                "Authorization",
                                "Bearer "
                                        + keys.es256(TestKeys.claims(user, "authenticated")
                                                .build()))
                        .statusCode())
                .as("a user's token")
                .isEqualTo(403);
    }

    @Test
    void aServiceRoleJwtWithoutSupabasesIssuerIsRefused() {
        JWTClaimsSet forged = new JWTClaimsSet.Builder(apiKeyClaims("service_role"))
                .issuer("https://evil.example")
                .build();
        assertThat(grant("apikey", keys.hs256(forged)).statusCode()).isEqualTo(401);
    }

    @Test
    void userRoutesStillNeedAUsersToken() {
        assertThat(balanceStatus("apikey", SECRET_KEY)).isEqualTo(403);
        assertThat(balanceStatus("Authorization", "Bearer " + keys.hs256(apiKeyClaims("service_role"))))
                .isEqualTo(403);
        assertThat(balanceStatus("apikey", keys.hs256(apiKeyClaims("anon")))).isEqualTo(401);
        assertThat(balanceStatus(
                        "Authorization",
                        "Bearer "
                                + keys.es256(
                                        TestKeys.claims(user, "authenticated").build())))
                .isEqualTo(200);
    }

    @Test
    void anAnonymousSupabaseUserIsAUserButNeverAnAdmin() {
        String anonymous = keys.es256(TestKeys.claims(user, "authenticated")
                .claim("is_anonymous", true)
                .build());
        assertThat(balanceStatus("Authorization", "Bearer " + anonymous)).isEqualTo(200);
        assertThat(grant("Authorization", "Bearer " + anonymous).statusCode()).isEqualTo(403);
        String claimsAdmin = keys.es256(TestKeys.claims(user, "service_role")
                .claim("is_anonymous", true)
                .build());
        assertThat(grant("Authorization", "Bearer " + claimsAdmin).statusCode()).isEqualTo(401);
    }

    @Test
    void secretKeysAreValidatedAtStartUpWithoutPrintingThem() {
        String bad = "sb_secret_short";
        assertThatThrownBy(() -> settingsWith(SECRET_KEY + "," + bad))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("ERYAO_AUTH__SECRET_KEYS entry 2 of 2")
                .hasMessageNotContaining(bad)
                .hasMessageNotContaining(SECRET_KEY);
        assertThatThrownBy(() -> settingsWith(PUBLISHABLE_KEY))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("publishable")
                .hasMessageNotContaining(PUBLISHABLE_KEY);
        Settings settings = settingsWith(SECRET_KEY + ", " + OTHER_SECRET_KEY);
        assertThat(settings.auth().secretKeys()).hasSize(2);
        assertThat(settings.toString()).doesNotContain(SECRET_KEY).doesNotContain(OTHER_SECRET_KEY);
    }

    private static Settings settingsWith(String secretKeys) {
        return Settings.from(Environment.of(
                Map.of("ERYAO_AUTH__JWT_SECRET", TestKeys.HS256_SECRET, "ERYAO_AUTH__SECRET_KEYS", secretKeys)));
    }

    private HttpResponse<String> grant(String header, String value) {
        String body = "{\"owner_id\":\"" + user + "\",\"amount\":1,\"reason\":\"supabase key\"}";
        return send(HttpRequest.newBuilder(uri("/v1/admin/points/grants"))
                .header(header, value)
                .header("Idempotency-Key", "supabase-" + UUID.randomUUID())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private String balance(String header, String value) {
        return send(HttpRequest.newBuilder(uri("/v1/points/balance"))
                        .header(header, value)
                        .GET())
                .body();
    }

    private int balanceStatus(String header, String value) {
        return send(HttpRequest.newBuilder(uri("/v1/points/balance"))
                        .header(header, value)
                        .GET())
                .statusCode();
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
