package dev.eryao.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.Environment;
import dev.eryao.core.config.LlmSettings;
import dev.eryao.core.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ERYAO_LLM__IDLE_SECONDS}, the silence a streamed answer may keep before it is given up. */
class StreamSettingsTest {
    private static LlmSettings llm(Map<String, String> variables) {
        return Settings.from(Environment.of(variables)).llm();
    }

    @Test
    void theIdleBoundDefaultsAndBinds() {
        assertThat(llm(Map.of()).idleSeconds()).isEqualTo(LlmSettings.DEFAULT_IDLE_SECONDS);
        assertThat(llm(Map.of("ERYAO_LLM__IDLE_SECONDS", "45")).idleSeconds()).isEqualTo(45);
    }

    @Test
    void theIdleBoundNeverExceedsTheWholeCallsTimeout() {
        assertThat(llm(Map.of("ERYAO_LLM__IDLE_SECONDS", "300", "ERYAO_LLM__TIMEOUT_SECONDS", "20")).idleSeconds())
                .isEqualTo(20);
    }

    @Test
    void anIdleBoundBelowOneSecondIsRefusedByName() {
        assertThatThrownBy(() -> llm(Map.of("ERYAO_LLM__IDLE_SECONDS", "0")))
                .hasMessageContaining("ERYAO_LLM__IDLE_SECONDS='0'");
    }
}
