package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.eryao.support.TestApi;
import dev.eryao.support.TestApi.Response;
import dev.eryao.support.TestKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every way a token can fail, over HTTP against the real server: each a 401 problem, never a 200. */
class AuthTest {
    private final TestApi api = TestApi.get();
    private final TestKeys keys = api.keys();
    private final UUID user = UUID.randomUUID();

    private JWTClaimsSet.Builder valid() {
        return TestKeys.claims(user, "authenticated");
    }

    @Test
    void supabaseTokensSignedWithEs256Rs256AndTheHs256SecretAreAccepted() {
        for (String token :
                new String[] {keys.es256(valid().build()), keys.rs256(valid().build()), keys.hs256(valid().build())}) {
            Response response = api.get("/v1/points/balance", token);
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.json().get("owner_id").asText()).isEqualTo(user.toString());
        }
    }

    @Test
    void everyBadTokenIsRefusedWith401() {
        Instant now = Instant.now();
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("garbage", "not.a.jwt");
        tokens.put("alg none", new PlainJWT(new PlainHeader(), valid().build()).serialize());
        tokens.put(
                "HS256 signed with the public key",
                TestKeys.sign(
                        new JWSHeader.Builder(JWSAlgorithm.HS256)
                                .keyID(keys.es256.getKeyID())
                                .build(),
                        valid().build(),
                        TestKeys.mac(keys.es256.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8))));
        tokens.put(
                "wrong HS256 secret",
                TestKeys.sign(
                        new JWSHeader.Builder(JWSAlgorithm.HS256).build(),
                        valid().build(),
                        TestKeys.mac("another-secret-that-is-also-long-enough-0123456789"
                                .getBytes(StandardCharsets.UTF_8))));
        tokens.put(
                "wrong key under a known kid",
                TestKeys.es256(TestKeys.generateEc(keys.es256.getKeyID()), valid().build()));
        tokens.put("unknown kid", TestKeys.es256(TestKeys.generateEc("not-published"), valid().build()));
        tokens.put(
                "expired",
                keys.es256(
                        valid().expirationTime(Date.from(now.minusSeconds(300))).build()));
        tokens.put(
                "not yet valid",
                keys.es256(
                        valid().notBeforeTime(Date.from(now.plusSeconds(300))).build()));
        tokens.put("no exp", keys.es256(valid().expirationTime(null).build()));
        tokens.put("audience other", keys.es256(valid().audience("someone-else").build()));
        tokens.put("no audience", keys.es256(valid().audience((String) null).build()));
        tokens.put(
                "wrong issuer",
                keys.es256(valid().issuer("https://evil.example/auth/v1").build()));
        tokens.put("sub not a uuid", keys.es256(valid().subject("user-42").build()));
        tokens.put("no sub", keys.es256(valid().subject(null).build()));
        tokens.put("anon", keys.es256(TestKeys.claims(user, "anon").build()));

        tokens.forEach((why, token) -> {
            Response response = api.get("/v1/points/balance", token);
            assertThat(response.status()).as(why + ": " + response).isEqualTo(401);
            assertThat(response.isProblem()).as(why).isTrue();
            assertThat(response.raw().headers().firstValue("WWW-Authenticate"))
                    .as(why)
                    .hasValue("Bearer");
        });
    }

    @Test
    void aMissingOrMalformedAuthorizationHeaderIs401() {
        assertThat(api.get("/v1/agent/sessions", null).status()).isEqualTo(401);
        assertThat(api.call("GET", "/v1/agent/sessions", null, null, "Authorization", "Basic dXNlcjpwYXNz")
                        .status())
                .isEqualTo(401);
        assertThat(api.call("GET", "/v1/agent/sessions", null, null, "Authorization", "Bearer ")
                        .status())
                .isEqualTo(401);
    }

    @Test
    void aServiceRoleTokenReachesAdminRoutesAndAUserTokenGets403() {
        String body = "{\"name\":\"auth-test-" + UUID.randomUUID().toString().substring(0, 8) + "\"}";
        assertThat(api.call("POST", "/v1/admin/llm/factories", api.userToken(user), body)
                        .status())
                .isEqualTo(403);
        assertThat(api.call("POST", "/v1/admin/llm/factories", api.serviceToken(user), body)
                        .status())
                .isEqualTo(201);
    }

    @Test
    void healthAndDocsNeedNoToken() {
        for (String path : new String[] {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"}) {
            assertThat(api.get(path, null).status()).as(path).isEqualTo(200);
        }
    }
}
