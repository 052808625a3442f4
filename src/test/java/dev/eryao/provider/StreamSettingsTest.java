package dev.eryao.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.Environment;
import dev.eryao.core.config.LlmSettings;
import dev.eryao.core.config.Settings;
import dev.eryao.core.config.SettingsException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ERYAO_LLM__IDLE_SECONDS}, the silence a streamed answer may keep before it is given up. */
class StreamSettingsTest {
    private static LlmSettings llm(Map<String, String> variables) {
        return Settings.from(Environment.of(variables)).llm();
    }

    @Test
    void theIdleBoundDefaultsAndBinds() {
        assertThat(llm(Map.of()).idle()).isEqualTo(LlmSettings.DEFAULT_IDLE);
        assertThat(llm(Map.of("ERYAO_LLM__IDLE_SECONDS", "45")).idle()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void anIdleBoundAboveTheWholeCallsTimeoutIsRefusedNotLowered() {
        assertThatThrownBy(() -> llm(Map.of("ERYAO_LLM__IDLE_SECONDS", "300", "ERYAO_LLM__TIMEOUT_SECONDS", "20")))
                .isInstanceOf(SettingsException.class)
                .hasMessageStartingWith("ERYAO_LLM__IDLE_SECONDS='300' is not accepted: it must not exceed"
                        + " ERYAO_LLM__TIMEOUT_SECONDS (20)");
    }

    @Test
    void anUnsetIdleBoundIsTheTimeoutWhenThatIsShorterThanTheDefault() {
        // Only the timeout was set: the default idle bound (30 s) could never apply, and was not the user's.
        assertThat(llm(Map.of("ERYAO_LLM__TIMEOUT_SECONDS", "20")).idle()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void anIdleBoundBelowOneSecondIsRefusedByName() {
        assertThatThrownBy(() -> llm(Map.of("ERYAO_LLM__IDLE_SECONDS", "0")))
                .hasMessageContaining("ERYAO_LLM__IDLE_SECONDS='0'");
    }
}
