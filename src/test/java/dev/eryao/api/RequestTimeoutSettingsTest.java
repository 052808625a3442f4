package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.Environment;
import dev.eryao.core.config.ServerSettings;
import dev.eryao.core.config.Settings;
import dev.eryao.core.config.SettingsException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The slow-client bounds are settings like the others: defaults when unset, a bad value stops start-up. */
class RequestTimeoutSettingsTest {
    private static ServerSettings server(Map<String, String> variables) {
        return Settings.from(Environment.of(variables)).server();
    }

    @Test
    void theBoundsHaveDefaultsAndCanBeSet() {
        assertThat(server(Map.of()).requestHeaderTimeout()).isEqualTo(ServerSettings.DEFAULT_REQUEST_HEADER_TIMEOUT);
        assertThat(server(Map.of()).requestBodyTimeout()).isEqualTo(ServerSettings.DEFAULT_REQUEST_BODY_TIMEOUT);
        ServerSettings set = server(Map.of(
                "ERYAO_SERVER__REQUEST_HEADER_TIMEOUT_SECONDS",
                "3",
                "ERYAO_SERVER__REQUEST_BODY_TIMEOUT_SECONDS",
                "45"));
        assertThat(set.requestHeaderTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(set.requestBodyTimeout()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void aBadBoundNamesTheVariableAndWhatItAccepts() {
        for (String bad : new String[] {"0", "-1", "ten", "301"}) {
            assertThatThrownBy(() -> server(Map.of("ERYAO_SERVER__REQUEST_HEADER_TIMEOUT_SECONDS", bad)))
                    .isInstanceOf(SettingsException.class)
                    .hasMessage("ERYAO_SERVER__REQUEST_HEADER_TIMEOUT_SECONDS='" + bad
                            + "' is not accepted: expected a whole number from 1 to 300");
        }
        assertThatThrownBy(() -> server(Map.of("ERYAO_SERVER__REQUEST_BODY_TIMEOUT_SECONDS", "0")))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("ERYAO_SERVER__REQUEST_BODY_TIMEOUT_SECONDS='0'");
    }
}
