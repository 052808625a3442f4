package dev.eryao.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chat page's local-token route exists only where {@code serve} signs with the local secret it
 * made itself: a secret read from a variable, a JWKS URL or Supabase secret keys mean tokens come
 * from Supabase Auth, and the API must then mint none.
 */
class LocalTokensSettingsTest {
    private static final Secret LOCAL = Secret.of("a-local-secret-long-enough-for-hs256-0123456789");
    private static final String SECRET_KEY = "sb_secret_" + "x".repeat(32);

    private static AuthSettings read(Map<String, String> variables) {
        return Settings.from(Environment.of(variables)).auth();
    }

    @Test
    void onlyTheLocalSecretServeMadeWithNothingOfSupabasesOffersLocalTokens() {
        AuthSettings nothing = read(Map.of());
        assertThat(nothing.offersLocalTokens()).as("nothing set: no secret yet").isFalse();
        assertThat(nothing.withLocalSecret(LOCAL).offersLocalTokens()).isTrue();
        assertThat(nothing.withSecret(LOCAL).offersLocalTokens())
                .as("a secret given by a variable is Supabase's")
                .isFalse();
    }

    @Test
    void aConfiguredSecretOrSecretKeysMeanNoLocalTokens() {
        AuthSettings secret = read(Map.of("ERYAO_AUTH__JWT_SECRET", LOCAL.reveal()));
        assertThat(secret.offersLocalTokens()).isFalse();

        AuthSettings keysOnly = read(Map.of("ERYAO_AUTH__SECRET_KEYS", SECRET_KEY));
        assertThat(keysOnly.unconfigured())
                .as("serve still makes its local secret")
                .isTrue();
        assertThat(keysOnly.withLocalSecret(LOCAL).offersLocalTokens())
                .as("Supabase's secret keys are set: its users' tokens come from Supabase Auth")
                .isFalse();
    }

    @Test
    void aLocalSecretBesideAJwksUrlIsABug() {
        AuthSettings jwks = new AuthSettings(
                URI.create("https://project.supabase.co/auth/v1/.well-known/jwks.json"),
                Secret.empty(),
                null,
                List.of());
        assertThatThrownBy(() -> jwks.withLocalSecret(LOCAL)).isInstanceOf(IllegalArgumentException.class);
        assertThat(jwks.offersLocalTokens()).isFalse();
    }
}
