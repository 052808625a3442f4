package dev.eryao.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.App;
import dev.eryao.core.config.Environment;
import dev.eryao.core.config.Settings;
import dev.eryao.migrations.RevisionCatalog;
import dev.eryao.support.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ServeCommandTest {
    private record Result(int status, String out, String err) {}

    private static Result eryao(Map<String, String> variables, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(Environment.of(variables), new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(status, out.toString(), err.toString());
    }

    private static int get(int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        }
    }

    @Test
    void serveOnAFreshDataDirMigratesMakesALocalSecretAndAcceptsTokensFromTheTokenCommand() throws Exception {
        Path dataDir = TestDatabase.temporaryDirectory();
        Map<String, String> variables = Map.of("ERYAO_DATA_DIR", dataDir.toString(), "ERYAO_SERVER__PORT", "0");
        StringWriter out = new StringWriter();

        try (App running = ServeCommand.start(Settings.from(Environment.of(variables)), new PrintWriter(out, true))) {
            assertThat(out.toString())
                    .contains("schema: at head "
                            + RevisionCatalog.load().head().orElseThrow().id())
                    .containsPattern("seeding 0001_llm_catalog \\.\\.\\. \\d+ ms")
                    .contains("local HS256 secret in "
                            + dataDir.resolve("jwt-secret").toAbsolutePath() + " (created now)")
                    .contains("listening on http://127.0.0.1:" + running.api().port());
            assertThat(get(running.api().port(), "/readyz", null)).isEqualTo(200);

            Result token = eryao(variables, "token", "--sub", UUID.randomUUID().toString());
            assertThat(token.status()).as(token.err()).isZero();
            assertThat(get(
                            running.api().port(),
                            "/v1/points/balance",
                            token.out().strip()))
                    .isEqualTo(200);
            assertThat(get(
                            running.api().port(),
                            "/v1/points/balance",
                            "x" + token.out().strip()))
                    .isEqualTo(401);
        }
    }

    @Test
    void serveWithAConfiguredDatabaseAndNoAuthSettingsRefusesToStart() {
        Result result = eryao(Map.of("ERYAO_DATABASE__HOST", "127.0.0.1", "ERYAO_SERVER__PORT", "0"), "serve");

        assertThat(result.status()).isEqualTo(Main.FAILED);
        assertThat(result.err().lines())
                .singleElement()
                .asString()
                .contains("ERYAO_AUTH__JWKS_URL")
                .contains("ERYAO_AUTH__JWT_SECRET");
    }

    @Test
    void tokenRefusesABadRoleOrSubjectAndAJwksOnlySetup() {
        Map<String, String> local =
                Map.of("ERYAO_DATA_DIR", TestDatabase.temporaryDirectory().toString());
        assertThat(eryao(local, "token", "--sub", "not-a-uuid").status()).isEqualTo(Main.USAGE);
        assertThat(eryao(local, "token", "--sub", UUID.randomUUID().toString(), "--role", "anon")
                        .status())
                .isEqualTo(Main.USAGE);

        Result jwksOnly = eryao(
                Map.of("ERYAO_AUTH__JWKS_URL", "https://p.supabase.co/auth/v1/.well-known/jwks.json"),
                "token",
                "--sub",
                UUID.randomUUID().toString());
        assertThat(jwksOnly.status()).isEqualTo(Main.FAILED);
        assertThat(jwksOnly.err()).contains("Supabase Auth");
    }

    @Test
    void aTooShortJwtSecretOrABadJwksUrlFailsWithOneLineNamingTheVariable() {
        assertThat(eryao(Map.of("ERYAO_AUTH__JWT_SECRET", "short"), "serve")
                        .err()
                        .lines())
                .singleElement()
                .asString()
                .startsWith("eryao: ERYAO_AUTH__JWT_SECRET is too short");
        assertThat(eryao(Map.of("ERYAO_AUTH__JWKS_URL", "not a url"), "serve")
                        .err()
                        .lines())
                .singleElement()
                .asString()
                .startsWith("eryao: ERYAO_AUTH__JWKS_URL='not a url' is not accepted");
    }
}
