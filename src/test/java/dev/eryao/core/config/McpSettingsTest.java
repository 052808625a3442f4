package dev.eryao.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ERYAO_MCP__*}, and which variables a secret header may take its value from. */
class McpSettingsTest {
    private static McpSettings read(Map<String, String> variables) {
        return Settings.from(Environment.of(variables)).mcp();
    }

    @Test
    void unsetVariablesTakeTheDefaults() {
        McpSettings mcp = read(Map.of());

        assertThat(mcp.callTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(mcp.maxResultBytes()).isEqualTo(64 * 1024);
        assertThat(mcp.toolsCacheTtl()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void theVariablesBindAndOutOfRangeValuesAreRefusedNamingTheVariable() {
        McpSettings mcp = read(Map.of(
                "ERYAO_MCP__CALL_TIMEOUT_SECONDS", "5",
                "ERYAO_MCP__MAX_RESULT_BYTES", "2048",
                "ERYAO_MCP__TOOLS_CACHE_SECONDS", "0"));

        assertThat(mcp.callTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(mcp.maxResultBytes()).isEqualTo(2048);
        assertThat(mcp.toolsCacheTtl()).isZero();
        assertThatThrownBy(() -> read(Map.of("ERYAO_MCP__CALL_TIMEOUT_SECONDS", "0")))
                .isInstanceOf(SettingsException.class)
                .hasMessage(
                        "ERYAO_MCP__CALL_TIMEOUT_SECONDS='0' is not accepted: expected a whole number from 1 to 3600");
        assertThatThrownBy(() -> read(Map.of("ERYAO_MCP__MAX_RESULT_BYTES", "10")))
                .hasMessageStartingWith("ERYAO_MCP__MAX_RESULT_BYTES='10' is not accepted");
        assertThatThrownBy(() -> new McpSettings(Duration.ofHours(2), 1024, Duration.ZERO, Map.of()))
                .hasMessageStartingWith("ERYAO_MCP__CALL_TIMEOUT_SECONDS='7200' is not accepted");
    }

    @Test
    void aSecretHeaderReadsOnlyVariablesOfItsOwnNeverTheBackendsSettings() {
        McpSettings mcp = read(Map.of(
                "ERYAO_MCP_GITHUB_TOKEN", "ghp-value",
                "ERYAO_DATABASE__PASSWORD", "db-password",
                "ERYAO_DATA_DIR", "/data",
                "ERYAO_JAVA_OPTS", "-Dx=y",
                "HOME", "/root"));

        assertThat(mcp.secret("ERYAO_MCP_GITHUB_TOKEN")).contains(Secret.of("ghp-value"));
        assertThat(mcp.secret("ERYAO_DATABASE__PASSWORD")).isEmpty();
        assertThat(mcp.secret("ERYAO_DATA_DIR")).isEmpty();
        assertThat(mcp.secret("ERYAO_JAVA_OPTS")).isEmpty();
        assertThat(mcp.secret("HOME")).isEmpty();
        assertThat(mcp.secretValues()).containsOnlyKeys("ERYAO_MCP_GITHUB_TOKEN");
        assertThat(mcp.toString()).doesNotContain("ghp-value");
        assertThat(McpSettings.isSecretVariable("ERYAO_MCP_TOKEN")).isTrue();
        assertThat(McpSettings.isSecretVariable("ERYAO_LLM__OPENAI__API_KEY")).isFalse();
        assertThat(McpSettings.isSecretVariable("ERYAO_TOKEN_")).isFalse();
        assertThat(McpSettings.isSecretVariable("eryao_token")).isFalse();
    }
}
