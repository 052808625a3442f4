package dev.eryao.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path dir;

    private static Settings settings(Map<String, String> variables) {
        return Settings.from(Environment.of(variables));
    }

    @Test
    void unsetVariablesTakeTheSeedsDefaultsAndMeanTheEmbeddedDatabase() {
        DatabaseSettings db = settings(Map.of()).database();

        assertThat(db.embedded()).isTrue();
        assertThat(db.port()).isEqualTo(5432);
        assertThat(db.name()).isEqualTo("postgres");
        assertThat(db.user()).isEqualTo("postgres");
        assertThat(db.poolMode()).isEqualTo(PoolMode.SESSION);
        assertThat(db.sslMode()).isEqualTo(SslMode.PREFER);
        assertThat(settings(Map.of()).dataDir()).isEqualTo(Path.of(".eryao"));
    }

    @Test
    void theSeedsVariableNamesBindEveryDatabaseSetting() {
        DatabaseSettings db = settings(Map.of(
                        "ERYAO_DATABASE__HOST", "aws-1-us-east-2.pooler.supabase.com",
                        "ERYAO_DATABASE__PORT", "5433",
                        "ERYAO_DATABASE__NAME", "app",
                        "ERYAO_DATABASE__USER", "postgres.ref",
                        "ERYAO_DATABASE__PASSWORD", "pw",
                        "ERYAO_DATABASE__SSLMODE", "verify-full",
                        "ERYAO_DATABASE__POOL_SIZE", "7",
                        "ERYAO_DATABASE__POOL_MODE", "transaction",
                        "ERYAO_DATABASE__CONNECT_TIMEOUT_SECONDS", "3",
                        "ERYAO_DATABASE__STATEMENT_TIMEOUT_MS", "1500"))
                .database();

        assertThat(db.embedded()).isFalse();
        assertThat(db.host()).isEqualTo("aws-1-us-east-2.pooler.supabase.com");
        assertThat(db.port()).isEqualTo(5433);
        assertThat(db.name()).isEqualTo("app");
        assertThat(db.user()).isEqualTo("postgres.ref");
        assertThat(db.password().reveal()).isEqualTo("pw");
        assertThat(db.sslMode()).isEqualTo(SslMode.VERIFY_FULL);
        assertThat(db.poolSize()).isEqualTo(7);
        assertThat(db.poolMode()).isEqualTo(PoolMode.TRANSACTION);
        assertThat(db.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(db.statementTimeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void supabasesTransactionPoolerPortImpliesTransactionModeUnlessSaidOtherwise() {
        assertThat(settings(Map.of("ERYAO_DATABASE__PORT", "6543")).database().poolMode())
                .isEqualTo(PoolMode.TRANSACTION);
        assertThat(settings(Map.of("ERYAO_DATABASE__PORT", "6543", "ERYAO_DATABASE__POOL_MODE", "session"))
                        .database()
                        .poolMode())
                .isEqualTo(PoolMode.SESSION);
    }

    @Test
    void aPortThatIsNotANumberNamesTheVariableAndWhatItAccepts() {
        assertThatThrownBy(() -> settings(Map.of("ERYAO_DATABASE__PORT", "abc")))
                .isInstanceOf(SettingsException.class)
                .hasMessage("ERYAO_DATABASE__PORT='abc' is not accepted: expected a whole number from 1 to 65535");
    }

    @Test
    void anOutOfRangeNumberIsRefusedNotReplacedByTheDefault() {
        assertThatThrownBy(() -> settings(Map.of("ERYAO_DATABASE__POOL_SIZE", "0")))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("ERYAO_DATABASE__POOL_SIZE='0'");
    }

    @Test
    void anUnknownPoolModeListsTheAcceptedOnes() {
        assertThatThrownBy(() -> settings(Map.of("ERYAO_DATABASE__POOL_MODE", "statement")))
                .isInstanceOf(SettingsException.class)
                .hasMessage(
                        "ERYAO_DATABASE__POOL_MODE='statement' is not accepted: expected one of session, transaction");
    }

    @Test
    void theErrorForAnyVariableNeverContainsThePassword() {
        assertThatThrownBy(() ->
                        settings(Map.of("ERYAO_DATABASE__PASSWORD", "hunter2", "ERYAO_DATABASE__SSLMODE", "sometimes")))
                .hasMessageStartingWith("ERYAO_DATABASE__SSLMODE='sometimes'")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> settings(Map.of("ERYAO_DATABASE__PASSWORD", "hunter2", "ERYAO_DATABASE__PORT", "x")))
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void thePasswordNeverAppearsInToString() {
        Settings settings = settings(Map.of("ERYAO_DATABASE__HOST", "db", "ERYAO_DATABASE__PASSWORD", "hunter2"));

        assertThat(settings.toString()).doesNotContain("hunter2").contains("******");
        assertThat(settings.database().describe()).doesNotContain("hunter2");
    }

    @Test
    void theEnvironmentWinsOverTheDotEnvFile() throws IOException {
        Path dotEnv = dir.resolve(".env");
        Files.writeString(dotEnv, """
                # the seed's .env
                ERYAO_DATABASE__HOST=aws-1-us-east-2.pooler.supabase.com
                export ERYAO_DATABASE__PORT=5432  # session pooler
                ERYAO_DATABASE__USER="postgres.ref"
                ERYAO_DATABASE__PASSWORD='from file'
                """);

        DatabaseSettings db = Settings.from(Environment.load(dotEnv, Map.of("ERYAO_DATABASE__USER", "from-env")))
                .database();

        assertThat(db.host()).isEqualTo("aws-1-us-east-2.pooler.supabase.com");
        assertThat(db.port()).isEqualTo(5432);
        assertThat(db.user()).isEqualTo("from-env");
        assertThat(db.password().reveal()).isEqualTo("from file");
    }

    @Test
    void aMalformedDotEnvLineIsReportedWithItsNumber() throws IOException {
        Path dotEnv = dir.resolve(".env");
        Files.writeString(dotEnv, "ERYAO_DATA_DIR=x\nnot a setting\n");

        assertThatThrownBy(() -> Environment.load(dotEnv, Map.of()))
                .isInstanceOf(SettingsException.class)
                .hasMessageEndingWith("line 2: expected KEY=value");
    }

    @Test
    void theToolsHaveBoundedDefaultsAndLogInAsTheReaderRole() {
        ToolsSettings tools = settings(Map.of()).tools();

        assertThat(tools.maxRows()).isEqualTo(100);
        assertThat(tools.statementTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(tools.readerUser()).isEqualTo("eryao_reader");
        assertThat(tools.readerPassword().isEmpty()).isTrue();
    }

    @Test
    void throughSupabasesPoolerTheReaderSharesTheProjectSuffixUnlessNamed() {
        assertThat(settings(Map.of("ERYAO_DATABASE__USER", "postgres.abcref"))
                        .tools()
                        .readerUser())
                .isEqualTo("eryao_reader.abcref");
        assertThat(settings(Map.of("ERYAO_DATABASE__USER", "postgres.abcref", "ERYAO_TOOLS__READER_USER", "viewer"))
                        .tools()
                        .readerUser())
                .isEqualTo("viewer");
    }

    @Test
    void aToolsLimitOutsideItsRangeIsRefusedNamingTheVariableAndTheReaderPasswordIsMasked() {
        assertThatThrownBy(() -> settings(Map.of("ERYAO_TOOLS__MAX_ROWS", "1000000")))
                .isInstanceOf(SettingsException.class)
                .hasMessage("ERYAO_TOOLS__MAX_ROWS='1000000' is not accepted: expected a whole number from 1 to 10000");
        assertThatThrownBy(() -> settings(Map.of("ERYAO_TOOLS__STATEMENT_TIMEOUT_MS", "soon")))
                .hasMessageStartingWith("ERYAO_TOOLS__STATEMENT_TIMEOUT_MS='soon' is not accepted");
        assertThat(settings(Map.of("ERYAO_TOOLS__READER_PASSWORD", "hunter2")).toString())
                .doesNotContain("hunter2");
    }
}
