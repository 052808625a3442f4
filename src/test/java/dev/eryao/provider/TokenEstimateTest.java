package dev.eryao.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.services.RunPrice;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An estimated usage is charged against the hold {@link RunPrice} took: the two must count a
 * prompt the same way, or an estimated run could cost more than it held (or be refused by the
 * usage check as more prompt than the messages can make).
 */
class TokenEstimateTest {
    private final List<ChatMessage> conversation = List.of(
            new ChatMessage("system", "Réponds brièvement."),
            new ChatMessage("user", "日本語で答えて"),
            new ChatMessage("assistant", ""));

    @Test
    void thePromptEstimateIsTheBoundTheHoldWasTakenFor() {
        assertThat(TokenEstimate.TOKENS_PER_MESSAGE).isEqualTo(RunPrice.TOKENS_PER_MESSAGE);
        assertThat((long) TokenEstimate.promptTokens(conversation, null))
                .isEqualTo(RunPrice.promptTokenBoundOf(conversation));
    }

    @Test
    void thePromptEstimateIsCappedAtTheWindowAsTheHoldIs() {
        int window = 20;

        assertThat(TokenEstimate.promptTokens(conversation, window)).isEqualTo(window);
        assertThat(TokenEstimate.promptTokens(conversation, 1_000_000))
                .isEqualTo(TokenEstimate.promptTokens(conversation, null));
    }

    @Test
    void theOutputEstimateIsItsUtf8BytesCappedAtMaxTokens() {
        String text = "日本";

        assertThat(TokenEstimate.completionTokens(text, 100))
                .isEqualTo(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertThat(TokenEstimate.completionTokens(text, 4)).isEqualTo(4);
        assertThat(TokenEstimate.completionTokens("", 100)).isZero();
    }
}
