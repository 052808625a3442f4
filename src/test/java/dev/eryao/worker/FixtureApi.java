package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import dev.eryao.api.ApiServer;
import dev.eryao.core.auth.JwtVerifier;
import dev.eryao.core.config.AuthSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.core.config.ServerSettings;
import dev.eryao.support.EventStream;
import dev.eryao.support.TestKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;

/**
 * The fixture's app served over real HTTP on loopback, taking the HS256 tokens of the project's
 * shared secret, as Supabase signs a user's; stopped with the app.
 */
final class FixtureApi {
    private final ApiServer server;

    private FixtureApi(ApiServer server) {
        this.server = server;
    }

    static FixtureApi start(RunFixture fixture) {
        AuthSettings auth = new AuthSettings(null, Secret.of(TestKeys.HS256_SECRET), TestKeys.ISSUER);
        return new FixtureApi(fixture.app
                .api(new ServerSettings("127.0.0.1", 0, 64 * 1024), JwtVerifier.from(auth, Clock.systemUTC()))
                .start());
    }

    int port() {
        return server.port();
    }

    String base() {
        return "http://127.0.0.1:" + port();
    }

    /** A user's access token, valid for an hour. */
    static String token(UUID sub) {
        return TestKeys.sign(
                new JWSHeader.Builder(JWSAlgorithm.HS256).build(),
                TestKeys.claims(sub, "authenticated").build(),
                TestKeys.mac(TestKeys.HS256_SECRET.getBytes(StandardCharsets.UTF_8)));
    }

    /** The run's event stream as its owner reads it, already answered 200. */
    EventStream openRun(RunFixture.Owner owner, String run, String lastEventId) throws Exception {
        return answered(EventStream.open(base(), run, token(owner.user().id()), lastEventId));
    }

    /** The event stream at {@code path} (a run's or a session's) as the owner reads it, already answered 200. */
    EventStream openPath(RunFixture.Owner owner, String path, String lastEventId) throws Exception {
        return answered(EventStream.openPath(base(), path, token(owner.user().id()), lastEventId));
    }

    private static EventStream answered(EventStream stream) {
        assertThat(stream.status()).isEqualTo(200);
        return stream;
    }
}
