package dev.eryao.services;

import dev.eryao.models.LlmModel;
import dev.eryao.provider.ChatMessage;
import dev.eryao.provider.TokenEstimate;
import dev.eryao.provider.ToolDefinition;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a run with one model may cost and what it did cost, in whole points: tokens times the
 * model's per-1,000 prices, rounded up.
 *
 * <p>The hold taken for a run is the most it can cost, not a guess. Prompt tokens are bounded by
 * the UTF-8 bytes of the messages sent plus {@value #TOKENS_PER_MESSAGE} per message for the chat
 * framing: the tokenizers of the models served here (byte-level BPE, and SentencePiece with byte
 * fallback) never make more than one token of a byte. The bound is capped at the model's
 * {@code context_tokens}. Output tokens are bounded by the output cap the worker sends as
 * {@code max_tokens}.
 *
 * <p>A run never costs more than it held. A provider may still report more than the bound allows
 * for — a chat template or system prompt of its own adds prompt tokens (Ollama's do), a server may
 * count past {@code max_tokens}, or a hostile one may claim anything: such usage is accepted (the
 * answer is kept), priced as reported, and charged at the hold; the run is marked
 * {@code charge_capped} with its full price in {@code cost_points}, for the administrator. Only
 * counts that cannot be counts at all are refused ({@link #checkUsage}).
 *
 * @param outputCap the {@code max_tokens} sent: the configured cap, lowered to half the model's
 *                  window so that the other half is left for the prompt (ContextFit)
 */
public record RunPrice(BigDecimal inputPer1k, BigDecimal outputPer1k, Integer contextTokens, int outputCap) {
    /** Framing tokens counted per message (role markers and separators), and once for the reply. */
    public static final int TOKENS_PER_MESSAGE = 8;

    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

    /** The price terms of {@code model} with the configured output cap. */
    public static RunPrice of(LlmModel model, int maxOutputTokens) {
        Integer window = model.getContextTokens();
        int cap = window == null ? maxOutputTokens : Math.min(maxOutputTokens, window / 2);
        return new RunPrice(model.getInputPricePer1k(), model.getOutputPricePer1k(), window, cap);
    }

    /** Whether every run with this model costs nothing (no hold, no ledger row). */
    public boolean free() {
        return inputPer1k.signum() == 0 && outputPer1k.signum() == 0;
    }

    /** The most prompt tokens {@code texts}, sent as that many messages, can be. */
    public static long promptTokenBound(List<String> texts) {
        long bytes = TOKENS_PER_MESSAGE;
        for (String text : texts) {
            bytes += text.getBytes(StandardCharsets.UTF_8).length + TOKENS_PER_MESSAGE;
        }
        return bytes;
    }

    /**
     * The most prompt tokens a conversation can be: {@link #promptTokenBound(List)} of its messages,
     * their tool calls and call ids counted with their content ({@link ChatMessage#promptBytes()}).
     */
    public static long promptTokenBoundOf(List<ChatMessage> messages) {
        return promptTokenBoundOf(messages, List.of());
    }

    /** {@link #promptTokenBoundOf(List)} with the {@code tools} offered beside it. */
    public static long promptTokenBoundOf(List<ChatMessage> messages, List<ToolDefinition> tools) {
        long bytes = TOKENS_PER_MESSAGE + TokenEstimate.toolsBytes(tools);
        for (ChatMessage message : messages) {
            bytes += message.promptBytes() + TOKENS_PER_MESSAGE;
        }
        return bytes;
    }

    /** What one message adds to {@link #promptTokenBoundOf}, its framing included. */
    public static long messageTokenBound(ChatMessage message) {
        return message.promptBytes() + TOKENS_PER_MESSAGE;
    }

    /** The most a run whose prompt is at most {@code promptTokenBound} tokens can cost. */
    public long hold(long promptTokenBound) {
        long prompt = contextTokens == null ? promptTokenBound : Math.min(promptTokenBound, contextTokens);
        return price(prompt, outputCap);
    }

    /** Points for a completion's usage. */
    public long price(long promptTokens, long completionTokens) {
        BigDecimal exact = inputPer1k
                .multiply(BigDecimal.valueOf(promptTokens))
                .add(outputPer1k.multiply(BigDecimal.valueOf(completionTokens)))
                .divide(THOUSAND);
        return exact.setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /**
     * Why a model's reported usage cannot be charged, or null when it can: only counts below zero
     * (the provider client refuses those already; this keeps a price from ever becoming a credit).
     * Counts beyond the bound are charged at the hold instead ({@code charge_capped}).
     */
    public String checkUsage(long promptTokens, long completionTokens) {
        if (promptTokens < 0 || completionTokens < 0) {
            return "the model reported negative token counts (prompt " + promptTokens + ", completion "
                    + completionTokens + ")";
        }
        return null;
    }
}
