package dev.eryao.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.support.Cli;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A provider key pasted with an invisible character stops {@code serve} and {@code worker} before
 * they start anything, with one line naming the variable, never the key: otherwise every run on
 * that provider would fail, each with the HTTP client's message, which quotes the key.
 */
class ProviderKeyStartUpTest {
    private static final String KEY_START = "sk-ant-api03-";
    private static final String KEY_END = "Jd8Qm2Lx5Vr9";
    /** A database nothing listens at: were the key let through, the command would fail there, at once. */
    private static final Map<String, String> PASTED = Map.of(
            "ERYAO_LLM__ANTHROPIC__API_KEY",
            KEY_START + "\u200B" + KEY_END,
            "ERYAO_DATABASE__HOST",
            "127.0.0.1",
            "ERYAO_DATABASE__PORT",
            "1",
            "ERYAO_DATABASE__CONNECT_TIMEOUT_SECONDS",
            "1");

    @Test
    void serveAndWorkerRefuseToStartNamingTheVariableAndTheCharacter() {
        for (String[] command : new String[][] {{"serve"}, {"worker", "--once"}}) {
            Cli.Result result = Cli.eryao(PASTED, command);

            assertThat(result.status()).as(command[0]).isEqualTo(Main.FAILED);
            assertThat(result.err().lines())
                    .as(command[0])
                    .singleElement()
                    .asString()
                    .isEqualTo("eryao: ERYAO_LLM__ANTHROPIC__API_KEY contains a character not allowed in an HTTP"
                            + " header (U+200B ZERO WIDTH SPACE at position 14): set it again without it");
            assertThat(result.out() + result.err()).doesNotContain(KEY_START).doesNotContain(KEY_END);
        }
    }
}
