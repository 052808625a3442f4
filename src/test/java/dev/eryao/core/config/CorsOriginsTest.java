package dev.eryao.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ERYAO_SERVER__CORS_ORIGINS}: none by default; exact origins as a browser sends them; a
 * wildcard or anything a browser never sends stops start-up with one line naming the variable and
 * the value.
 */
class CorsOriginsTest {
    private static ServerSettings server(Map<String, String> variables) {
        return Settings.from(Environment.of(variables)).server();
    }

    @Test
    void noOriginIsListedByDefault() {
        assertThat(server(Map.of()).corsOrigins()).isEmpty();
        assertThat(server(Map.of("ERYAO_SERVER__CORS_ORIGINS", " ")).corsOrigins())
                .isEmpty();
    }

    @Test
    void exactOriginsAreReadInOrderWithoutRepeats() {
        ServerSettings server = server(Map.of(
                "ERYAO_SERVER__CORS_ORIGINS",
                "http://127.0.0.1:5173, https://chat.example.com,http://[::1]:8080,https://chat.example.com"));

        assertThat(server.corsOrigins())
                .containsExactly("http://127.0.0.1:5173", "https://chat.example.com", "http://[::1]:8080");
    }

    @Test
    void aWildcardOrAnOriginNoBrowserSendsStopsStartUpNamingTheVariableAndTheValue() {
        for (String bad : List.of(
                "*",
                "https://*.example.com",
                "http://127.0.0.1:5173/",
                "http://127.0.0.1:5173/chat",
                "127.0.0.1:5173",
                "ftp://example.com",
                "https://Chat.Example.com",
                "https://example.com:443",
                "http://example.com:80",
                "http://example.com:70000",
                "null",
                "http://a.example,,http://b.example",
                "http://user@example.com")) {
            assertThatThrownBy(() -> server(Map.of("ERYAO_SERVER__CORS_ORIGINS", bad)))
                    .as(bad)
                    .isInstanceOf(SettingsException.class)
                    .hasMessageStartingWith("ERYAO_SERVER__CORS_ORIGINS='" + bad + "' is not accepted: ")
                    .hasMessageNotContaining("\n");
        }
        assertThatThrownBy(() -> server(Map.of("ERYAO_SERVER__CORS_ORIGINS", "*")))
                .hasMessageContaining("wildcard");
    }

    @Test
    void aListBuiltInCodeIsCheckedTheSameWay() {
        assertThatThrownBy(() -> new ServerSettings(
                        "127.0.0.1",
                        0,
                        ServerSettings.DEFAULT_MAX_BODY_BYTES,
                        ServerSettings.DEFAULT_REQUEST_HEADER_TIMEOUT,
                        ServerSettings.DEFAULT_REQUEST_BODY_TIMEOUT,
                        List.of("*")))
                .isInstanceOf(SettingsException.class)
                .hasMessageStartingWith("ERYAO_SERVER__CORS_ORIGINS='*' is not accepted");
    }
}
