package dev.eryao.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.config.PoolMode;
import dev.eryao.core.db.Database;
import dev.eryao.support.Cli;
import dev.eryao.support.ScratchDatabase;
import dev.eryao.support.TestDatabase;
import dev.eryao.support.TestKeys;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code eryao doctor} against the suite's database and against broken ones. */
class DoctorCommandTest {
    private static final String SECRET_KEY = "sb_secret_" + "Dq7Hn2Wc5Lr8Tv1Yb4Ke6Mp9Sg3Xa0Z";
    private static final List<String> CHECKS = List.of(
            "server",
            "connection",
            "login",
            "schema",
            "models",
            "row level security",
            "advisor",
            "statement timeout",
            "run events",
            "reader role",
            "auth");

    private static TestKeys keys;
    private final TestDatabase server = TestDatabase.get();

    @BeforeAll
    static void startKeys() {
        keys = new TestKeys();
    }

    @AfterAll
    static void stopKeys() {
        keys.close();
    }

    private static Map<String, String> variables(Map<String, String> database) {
        Map<String, String> variables = new HashMap<>(database);
        variables.put("ERYAO_AUTH__JWKS_URL", keys.jwksUrl().toString());
        variables.put("ERYAO_AUTH__JWT_SECRET", TestKeys.HS256_SECRET);
        variables.put("ERYAO_AUTH__SECRET_KEYS", SECRET_KEY);
        return variables;
    }

    @Test
    void theSuitesDatabasePassesEveryCheck() {
        Map<String, String> database = ScratchDatabase.variablesFor(
                server.database().settings(), server.database().settings().name());
        Cli.Result result = Cli.eryao(variables(database), "doctor");
        // On Supabase's layout no superuser can bound the data tools' reader: that line warns.
        boolean supabase = server.supabaseLayout();

        assertThat(result.status()).as(result.out() + result.err()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(CHECKS.size());
        for (int i = 0; i < CHECKS.size(); i++) {
            String expected = supabase && CHECKS.get(i).equals("reader role") ? "⚠" : "[✓⚠]";
            assertThat(lines.get(i)).as(result.out()).matches(expected + " " + CHECKS.get(i) + ": .+");
        }
        assertThat(result.out())
                .contains("✓ schema: at head")
                .contains("✓ auth: JWKS reachable with 2 key(s)")
                .doesNotContain(TestKeys.HS256_SECRET)
                .doesNotContain(SECRET_KEY);
        // These variables name no listen address: in transaction pool mode nothing can LISTEN.
        assertThat(result.out())
                .contains(
                        server.settings().database().poolMode() == PoolMode.TRANSACTION
                                ? "⚠ run events: nothing to LISTEN on"
                                : "✓ run events: LISTEN works");
    }

    @Test
    void aDatabaseNotAtHeadFailsWithTheFix() {
        String name;
        try (Database empty = server.freshDatabase()) {
            name = empty.settings().name();
        }
        Cli.Result result = Cli.eryao(
                variables(ScratchDatabase.variablesFor(server.database().settings(), name)), "doctor");

        assertThat(result.status()).as(result.out() + result.err()).isEqualTo(Main.FAILED);
        assertThat(result.out())
                .containsPattern("✗ schema: at base, not at head \\d{8}_\\d{4} .* — fix: bin/eryao migrate")
                .contains("✗ models: not compared")
                .contains("✓ server:");
    }

    @Test
    void aTableWithoutRowLevelSecurityFailsNamingIt() {
        Cli.Result result = Cli.eryao(variables(ScratchDatabase.get().variables()), "doctor");

        assertThat(result.status()).as(result.out() + result.err()).isEqualTo(Main.FAILED);
        assertThat(result.out())
                .containsPattern("✗ row level security: off for probe in public .* — fix: ALTER TABLE")
                .containsPattern(
                        "✗ advisor: \\d+ advisor finding\\(s\\): .*rls_disabled_in_public on table public.probe")
                .contains("✓ schema: at head");
    }

    @Test
    void aProviderKeyAHeaderCannotCarryIsOneFailedLineNamingTheVariableNotTheKey() {
        String keyStart = "sk-proj-Q7";
        String keyEnd = "xT4mN8pL2vR6";
        Map<String, String> pasted = variables(ScratchDatabase.variablesFor(
                server.database().settings(), server.database().settings().name()));
        pasted.put("ERYAO_LLM__OPENAI__API_KEY", keyStart + "\u200B" + keyEnd);
        Cli.Result result = Cli.eryao(pasted, "doctor");

        assertThat(result.status()).isEqualTo(Main.FAILED);
        assertThat(result.out().lines())
                .singleElement()
                .asString()
                .startsWith("✗ settings: ERYAO_LLM__OPENAI__API_KEY contains a character not allowed in an HTTP header"
                        + " (U+200B ZERO WIDTH SPACE at position 11)")
                .contains("— fix: ");
        assertThat(result.out() + result.err()).doesNotContain(keyStart).doesNotContain(keyEnd);
    }

    @Test
    void anUnreachableDatabaseIsOneFailedLine() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> database =
                new HashMap<>(ScratchDatabase.variablesFor(server.database().settings(), "postgres"));
        database.put("ERYAO_DATABASE__PORT", String.valueOf(closedPort));
        database.put("ERYAO_DATABASE__CONNECT_TIMEOUT_SECONDS", "2");
        Cli.Result result = Cli.eryao(variables(database), "doctor");

        assertThat(result.status()).isEqualTo(Main.FAILED);
        assertThat(result.out().lines())
                .singleElement()
                .asString()
                .startsWith("✗ database: cannot connect to")
                .contains("— fix: check ERYAO_DATABASE__HOST");
    }
}
