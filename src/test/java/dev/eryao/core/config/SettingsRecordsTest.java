package dev.eryao.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each settings record checks its values in its constructor, so one built directly (a test, a
 * command's override, a later {@code with…}) is refused as one read from variables would be: one line
 * naming the variable and the value. A value the application cannot honour is refused, never
 * quietly changed. Durations keep their variables' units ({@code _SECONDS}, {@code _MS}).
 */
class SettingsRecordsTest {
    private static final Map<String, Secret> NO_KEYS = Map.of();

    private static Settings settings(Map<String, String> variables) {
        return Settings.from(Environment.of(variables));
    }

    private static WorkerSettings worker(Duration lease) {
        return new WorkerSettings(
                WorkerSettings.DEFAULT_CONCURRENCY,
                lease,
                WorkerSettings.DEFAULT_POLL_INTERVAL,
                WorkerSettings.DEFAULT_MAX_ATTEMPTS,
                WorkerSettings.DEFAULT_RETRY_BACKOFF);
    }

    @Test
    void durationsAreReadInTheUnitsTheirVariablesName() {
        Settings read = settings(Map.of(
                "ERYAO_WORKER__LEASE_SECONDS",
                "90",
                "ERYAO_WORKER__POLL_INTERVAL_MS",
                "40",
                "ERYAO_WORKER__RETRY_BACKOFF_MS",
                "1500",
                "ERYAO_WORKER__FALLBACK_POLL_MS",
                "3000",
                "ERYAO_LLM__TIMEOUT_SECONDS",
                "45",
                "ERYAO_DATABASE__LOCK_TIMEOUT_MS",
                "250",
                "ERYAO_DATABASE__MIGRATION_TIMEOUT_SECONDS",
                "0"));

        assertThat(read.worker().lease()).isEqualTo(Duration.ofSeconds(90));
        assertThat(read.worker().pollInterval()).isEqualTo(Duration.ofMillis(40));
        assertThat(read.worker().retryBackoff()).isEqualTo(Duration.ofMillis(1500));
        assertThat(read.worker().fallbackPoll()).isEqualTo(Duration.ofMillis(3000));
        assertThat(read.llm().timeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(read.database().lockTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(read.database().migrationTimeout()).as("zero: no limit").isZero();
    }

    @Test
    void unsetDurationsTakeTheirNamedDefaults() {
        Settings defaults = settings(Map.of());

        assertThat(defaults.worker().lease())
                .isEqualTo(WorkerSettings.DEFAULT_LEASE)
                .isEqualTo(Duration.ofSeconds(120));
        assertThat(defaults.worker().pollInterval()).isEqualTo(WorkerSettings.DEFAULT_POLL_INTERVAL);
        assertThat(defaults.worker().fallbackPoll())
                .isEqualTo(WorkerSettings.DEFAULT_FALLBACK_POLL)
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.llm().timeout()).isEqualTo(LlmSettings.DEFAULT_TIMEOUT);
        assertThat(defaults.llm().idle()).isEqualTo(LlmSettings.DEFAULT_IDLE);
        assertThat(defaults.server().requestBodyTimeout()).isEqualTo(ServerSettings.DEFAULT_REQUEST_BODY_TIMEOUT);
        assertThat(defaults.database().connectTimeout()).isEqualTo(DatabaseSettings.DEFAULT_CONNECT_TIMEOUT);
        assertThat(defaults.tools().statementTimeout()).isEqualTo(ToolsSettings.DEFAULT_STATEMENT_TIMEOUT);
    }

    @Test
    void workerSettingsBuiltDirectlyRefuseAValueOutOfRangeByVariable() {
        assertThatThrownBy(() -> worker(Duration.ofSeconds(4)))
                .isInstanceOf(SettingsException.class)
                .hasMessage("ERYAO_WORKER__LEASE_SECONDS='4' is not accepted: expected a whole number from 5 to 86400");
        assertThatThrownBy(() -> new WorkerSettings(
                        257,
                        WorkerSettings.DEFAULT_LEASE,
                        WorkerSettings.DEFAULT_POLL_INTERVAL,
                        3,
                        WorkerSettings.DEFAULT_RETRY_BACKOFF))
                .hasMessageStartingWith("ERYAO_WORKER__CONCURRENCY='257' is not accepted");
        assertThatThrownBy(() -> new WorkerSettings(
                        1, WorkerSettings.DEFAULT_LEASE, Duration.ofMillis(5), 3, WorkerSettings.DEFAULT_RETRY_BACKOFF))
                .hasMessageStartingWith("ERYAO_WORKER__POLL_INTERVAL_MS='5' is not accepted");
        assertThatThrownBy(() -> new WorkerSettings(
                        1,
                        WorkerSettings.DEFAULT_LEASE,
                        WorkerSettings.DEFAULT_POLL_INTERVAL,
                        0,
                        WorkerSettings.DEFAULT_RETRY_BACKOFF))
                .hasMessageStartingWith("ERYAO_WORKER__MAX_ATTEMPTS='0' is not accepted");
        assertThatThrownBy(() -> new WorkerSettings(
                        1,
                        WorkerSettings.DEFAULT_LEASE,
                        WorkerSettings.DEFAULT_POLL_INTERVAL,
                        3,
                        Duration.ofMillis(-1)))
                .hasMessageStartingWith("ERYAO_WORKER__RETRY_BACKOFF_MS='-1' is not accepted");
    }

    @Test
    void aDurationBetweenWholeUnitsIsShownExactlyInTheVariablesUnit() {
        assertThatThrownBy(() -> worker(Duration.ofMillis(4_500)))
                .hasMessageStartingWith("ERYAO_WORKER__LEASE_SECONDS='4.5' is not accepted");
    }

    @Test
    void aMissingDurationIsRefusedByVariableNotLeftToFailLater() {
        assertThatThrownBy(() -> worker(null))
                .isInstanceOf(SettingsException.class)
                .hasMessageStartingWith("ERYAO_WORKER__LEASE_SECONDS is not set");
    }

    @Test
    void anIdleBoundAboveTheTimeoutIsRefusedNotLoweredToIt() {
        assertThatThrownBy(() -> new LlmSettings(Duration.ofSeconds(60), 100, Duration.ofSeconds(90), NO_KEYS))
                .isInstanceOf(SettingsException.class)
                .hasMessage(
                        "ERYAO_LLM__IDLE_SECONDS='90' is not accepted: it must not exceed"
                                + " ERYAO_LLM__TIMEOUT_SECONDS (60), which ends the whole call first; lower it or leave it unset");
        assertThat(new LlmSettings(Duration.ofSeconds(60), 100, Duration.ofSeconds(60), NO_KEYS).idle())
                .as("equal to the timeout is kept as set")
                .isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void withNoIdleBoundGivenItIsTheDefaultOrTheShorterTimeout() {
        assertThat(new LlmSettings(Duration.ofSeconds(120), NO_KEYS).idle()).isEqualTo(LlmSettings.DEFAULT_IDLE);
        assertThat(new LlmSettings(Duration.ofSeconds(5), NO_KEYS).idle()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void llmSettingsBuiltDirectlyRefuseAValueOutOfRangeByVariable() {
        assertThatThrownBy(() -> new LlmSettings(Duration.ZERO, NO_KEYS))
                .hasMessage("ERYAO_LLM__TIMEOUT_SECONDS='0' is not accepted: expected a whole number from 1 to 3600");
        assertThatThrownBy(() -> new LlmSettings(Duration.ofSeconds(10), 0, NO_KEYS))
                .hasMessageStartingWith("ERYAO_LLM__MAX_OUTPUT_TOKENS='0' is not accepted");
        assertThatThrownBy(() -> new LlmSettings(
                        Duration.ofSeconds(10),
                        100,
                        Duration.ofSeconds(5),
                        LlmSettings.MIN_ANSWER_BYTES_PER_TOKEN - 1,
                        NO_KEYS))
                .hasMessageStartingWith("ERYAO_LLM__ANSWER_BYTES_PER_TOKEN='3' is not accepted");
    }

    @Test
    void aLeaseNoLongerThanTheLlmTimeoutIsRefusedWhereverSettingsAreBuilt() {
        String expected = "ERYAO_WORKER__LEASE_SECONDS='60' is not accepted: it must be longer than"
                + " ERYAO_LLM__TIMEOUT_SECONDS (60), or a run still being answered would be taken again";
        assertThatThrownBy(() -> settings(Map.of("ERYAO_WORKER__LEASE_SECONDS", "60")))
                .isInstanceOf(SettingsException.class)
                .hasMessage(expected);
        Settings valid = settings(Map.of());
        assertThatThrownBy(() -> valid.withWorker(worker(Duration.ofSeconds(60))))
                .isInstanceOf(SettingsException.class)
                .hasMessage(expected);
        assertThat(valid.withWorker(worker(Duration.ofSeconds(61))).worker().lease())
                .isEqualTo(Duration.ofSeconds(61));
    }

    @Test
    void serverSettingsBuiltDirectlyRefuseAValueOutOfRangeByVariable() {
        assertThatThrownBy(() -> new ServerSettings("127.0.0.1", 65_536, ServerSettings.DEFAULT_MAX_BODY_BYTES))
                .hasMessage("ERYAO_SERVER__PORT='65536' is not accepted: expected a whole number from 0 to 65535");
        assertThatThrownBy(() -> new ServerSettings("127.0.0.1", 0, 100))
                .hasMessageStartingWith("ERYAO_SERVER__MAX_BODY_BYTES='100' is not accepted");
        assertThatThrownBy(() -> new ServerSettings(
                        "127.0.0.1",
                        0,
                        ServerSettings.DEFAULT_MAX_BODY_BYTES,
                        Duration.ofSeconds(301),
                        ServerSettings.DEFAULT_REQUEST_BODY_TIMEOUT))
                .hasMessageStartingWith("ERYAO_SERVER__REQUEST_HEADER_TIMEOUT_SECONDS='301' is not accepted");
        assertThatThrownBy(() -> new ServerSettings(null, 0, ServerSettings.DEFAULT_MAX_BODY_BYTES))
                .hasMessageStartingWith("ERYAO_SERVER__HOST=");
    }

    @Test
    void databaseSettingsBuiltDirectlyRefuseAValueOutOfRangeByVariable() {
        DatabaseSettings valid = settings(Map.of()).database();

        assertThatThrownBy(
                        () -> valid.withTimeouts(Duration.ofMillis(-1), valid.lockTimeout(), valid.migrationTimeout()))
                .isInstanceOf(SettingsException.class)
                .hasMessage("ERYAO_DATABASE__STATEMENT_TIMEOUT_MS='-1' is not accepted: expected a whole number from 0"
                        + " to 86400000");
        assertThatThrownBy(() -> valid.listeningAt(null, 70_000))
                .hasMessageStartingWith("ERYAO_DATABASE__LISTEN_PORT='70000' is not accepted");
        assertThatThrownBy(() -> new DatabaseSettings(
                        "db",
                        5432,
                        "postgres",
                        "postgres",
                        Secret.empty(),
                        SslMode.PREFER,
                        0,
                        PoolMode.SESSION,
                        valid.connectTimeout(),
                        valid.statementTimeout(),
                        valid.migrationTimeout()))
                .hasMessageStartingWith("ERYAO_DATABASE__POOL_SIZE='0' is not accepted");
        assertThatThrownBy(() -> new DatabaseSettings(
                        "db",
                        5432,
                        "postgres",
                        "postgres",
                        Secret.empty(),
                        SslMode.PREFER,
                        4,
                        PoolMode.SESSION,
                        Duration.ZERO,
                        valid.statementTimeout(),
                        valid.migrationTimeout()))
                .as("a connect timeout of zero would mean none")
                .hasMessageStartingWith("ERYAO_DATABASE__CONNECT_TIMEOUT_SECONDS='0' is not accepted");
        assertThatThrownBy(() -> new DatabaseSettings(
                        "db",
                        5432,
                        "postgres",
                        "postgres",
                        Secret.empty(),
                        null,
                        4,
                        PoolMode.SESSION,
                        valid.connectTimeout(),
                        valid.statementTimeout(),
                        valid.migrationTimeout()))
                .hasMessageStartingWith("ERYAO_DATABASE__SSLMODE is not set");
    }

    @Test
    void toolsSettingsBuiltDirectlyRefuseAValueOutOfRangeByVariableAndFlagsByFlag() {
        ToolsSettings valid = settings(Map.of()).tools();

        assertThatThrownBy(() -> new ToolsSettings(
                        0, valid.maxBytes(), valid.statementTimeout(), valid.readerUser(), valid.readerPassword()))
                .hasMessage("ERYAO_TOOLS__MAX_ROWS='0' is not accepted: expected a whole number from 1 to 10000");
        assertThatThrownBy(() -> new ToolsSettings(
                        valid.maxRows(), valid.maxBytes(), Duration.ZERO, valid.readerUser(), valid.readerPassword()))
                .as("a query may never run without a limit")
                .hasMessageStartingWith("ERYAO_TOOLS__STATEMENT_TIMEOUT_MS='0' is not accepted");
        assertThatThrownBy(() -> valid.withStatementTimeout(Duration.ofMinutes(11)))
                .hasMessage("--timeout-ms=660000 is not accepted: expected a whole number from 1 to 600000");
    }

    @Test
    void authSettingsBuiltDirectlyRefuseWhatTheVariablesWould() {
        assertThatThrownBy(() -> new AuthSettings(null, Secret.of("hunter2-hunter2"), null))
                .isInstanceOf(SettingsException.class)
                .hasMessageStartingWith("ERYAO_AUTH__JWT_SECRET is too short")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> new AuthSettings(URI.create("ftp://example.com/jwks.json"), Secret.empty(), null))
                .hasMessageStartingWith("ERYAO_AUTH__JWKS_URL='ftp://example.com/jwks.json' is not accepted");
        String publishable = "sb_publishable_" + "x".repeat(30);
        assertThatThrownBy(() -> new AuthSettings(null, Secret.empty(), null, List.of(Secret.of(publishable))))
                .hasMessage("ERYAO_AUTH__SECRET_KEYS entry 1 of 1 is a publishable key: only secret keys"
                        + " (sb_secret_...) may reach the admin routes")
                .hasMessageNotContaining(publishable);
    }

    @Test
    void runsSettingsBuiltDirectlyRefuseAValueOutOfRange() {
        assertThatThrownBy(() -> new RunsSettings(0)).hasMessageStartingWith("ERYAO_RUNS__MAX_OPEN_PER_OWNER='0'");
    }
}
