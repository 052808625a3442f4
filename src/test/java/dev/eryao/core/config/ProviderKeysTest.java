package dev.eryao.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ERYAO_LLM__<FACTORY>__API_KEY} is checked when settings are read: a key an HTTP header
 * cannot carry stops start-up with one line naming the variable and the character, never the key.
 */
class ProviderKeysTest {
    private static final String VARIABLE = "ERYAO_LLM__OPENAI__API_KEY";
    private static final String KEY_START = "sk-proj-Q7";
    private static final String KEY_END = "xT4mN8pL2vR6";

    @TempDir
    Path dir;

    private static LlmSettings llm(Map<String, String> variables) {
        return Settings.from(Environment.of(variables)).llm();
    }

    @Test
    void aKeyWithAZeroWidthSpaceIsRefusedByVariableAndPositionNeverByValue() {
        String pasted = KEY_START + "\u200B" + KEY_END;

        assertThatThrownBy(() -> llm(Map.of(VARIABLE, pasted)))
                .isInstanceOf(SettingsException.class)
                .hasMessage(VARIABLE + " contains a character not allowed in an HTTP header"
                        + " (U+200B ZERO WIDTH SPACE at position 11): set it again without it")
                .hasMessageNotContaining(KEY_START)
                .hasMessageNotContaining(KEY_END);
    }

    @Test
    void spacesControlCharactersAndNonAsciiLettersInsideAKeyAreRefusedToo() {
        Map<String, String> kinds = Map.of(
                KEY_START + " " + KEY_END, "U+0020 SPACE",
                KEY_START + "\t" + KEY_END, "U+0009 CHARACTER TABULATION",
                KEY_START + "\n" + KEY_END, "U+000A LINE FEED (LF)",
                KEY_START + "\u00A0" + KEY_END, "U+00A0 NO-BREAK SPACE",
                KEY_START + "é" + KEY_END, "U+00E9 LATIN SMALL LETTER E WITH ACUTE",
                KEY_START + "\u007F" + KEY_END, "U+007F DELETE");
        kinds.forEach((key, kind) -> assertThatThrownBy(() -> llm(Map.of(VARIABLE, key)))
                .as(kind)
                .isInstanceOf(SettingsException.class)
                .hasMessageStartingWith(VARIABLE + " contains a character not allowed in an HTTP header")
                .hasMessageContaining(kind + " at position 11")
                .hasMessageNotContaining(KEY_START)
                .hasMessageNotContaining(KEY_END));
    }

    @Test
    void aKeyPastedIntoDotEnvWithAnInvisibleCharacterIsRefusedTheSameWay() throws IOException {
        Path dotEnv = dir.resolve(".env");
        Files.writeString(dotEnv, VARIABLE + "=\"" + KEY_START + "\u200B" + KEY_END + "\"\n");

        assertThatThrownBy(() -> Settings.from(Environment.load(dotEnv, Map.of())))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining(VARIABLE, "U+200B")
                .hasMessageNotContaining(KEY_START);
    }

    @Test
    void anOrdinaryKeyIsKeptAndSurroundingWhitespaceIsNotPartOfIt() {
        assertThat(llm(Map.of(VARIABLE, " " + KEY_START + KEY_END + "\n")).apiKeyFor("openai"))
                .hasValueSatisfying(key -> assertThat(key.reveal()).isEqualTo(KEY_START + KEY_END));
    }

    @Test
    void theAnswerAllowancePerTokenDefaultsBindsAndIsRefusedBelowOneCharacter() {
        assertThat(llm(Map.of()).answerBytesPerToken()).isEqualTo(LlmSettings.DEFAULT_ANSWER_BYTES_PER_TOKEN);
        assertThat(llm(Map.of("ERYAO_LLM__ANSWER_BYTES_PER_TOKEN", "8")).answerBytesPerToken())
                .isEqualTo(8);
        assertThatThrownBy(() -> llm(Map.of("ERYAO_LLM__ANSWER_BYTES_PER_TOKEN", "3")))
                .isInstanceOf(SettingsException.class)
                .hasMessage(
                        "ERYAO_LLM__ANSWER_BYTES_PER_TOKEN='3' is not accepted: expected a whole number from 4 to 1024");
    }
}
