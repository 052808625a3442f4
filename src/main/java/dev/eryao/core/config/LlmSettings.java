package dev.eryao.core.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How the worker calls LLM providers, bound from {@code ERYAO_LLM__*}. Each factory's API key is
 * {@code ERYAO_LLM__<FACTORY>__API_KEY}, {@code <FACTORY>} being the factory's name upper-cased with
 * other characters as {@code _} ({@code openai} → {@code ERYAO_LLM__OPENAI__API_KEY}). A factory
 * with no key is called without one (a local model server). A key holding a character an HTTP header
 * cannot carry (anything but visible ASCII: a zero-width space, a space, a line break, a non-ASCII
 * letter) is refused when settings are read, by variable and position, never quoted; the constructor
 * does not check keys, so that the provider client's own refusal of such a key stays testable.
 * The constructor refuses any other value out of range, and an idle bound above the timeout.
 * {@code toString()} masks the keys.
 *
 * @param timeout             {@code ERYAO_LLM__TIMEOUT_SECONDS}: the longest one completion may take, streamed or not
 * @param maxOutputTokens     {@code ERYAO_LLM__MAX_OUTPUT_TOKENS}: the output cap sent as {@code max_tokens}
 *                            (lowered to a model's {@code context_tokens} when that is smaller); with the
 *                            input, it bounds what a run can cost, and so what enqueue holds
 * @param idle                {@code ERYAO_LLM__IDLE_SECONDS}: the longest a streamed answer may go without a
 *                            byte from the provider (a chunk or a keep-alive comment) before the call is
 *                            given up as dead and retried: a connection that silently died would otherwise
 *                            hold the run for the whole timeout. Raise it for models that think silently
 *                            before their first token. Never more than the timeout: a longer one is refused
 *                            (it could never apply); unset, it is {@link #DEFAULT_IDLE} or the timeout when
 *                            that is shorter.
 * @param answerBytesPerToken {@code ERYAO_LLM__ANSWER_BYTES_PER_TOKEN}: how many bytes of answer text (UTF-8)
 *                            one attempt may receive per token of its {@code max_tokens}; past
 *                            {@code max_tokens} × this the answer is cut off and the attempt fails for good,
 *                            charged nothing. The default leaves room for text of 4-byte characters and for
 *                            a tokenizer's longest tokens (runs of spaces in code); ordinary text takes about 4.
 *                            The same output cap also bounds the whole body received (see
 *                            {@code provider.AnswerLimits}), so a provider cannot fill memory.
 * @param apiKeys             by {@link #variablePart(String) factory variable part}
 */
public record LlmSettings(
        Duration timeout, int maxOutputTokens, Duration idle, int answerBytesPerToken, Map<String, Secret> apiKeys) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_OUTPUT_TOKENS = 4_096;
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(30);
    public static final int DEFAULT_ANSWER_BYTES_PER_TOKEN = 32;
    /** One character of UTF-8 is at most 4 bytes: less would cut honest answers short. */
    public static final int MIN_ANSWER_BYTES_PER_TOKEN = 4;

    public static final int MAX_ANSWER_BYTES_PER_TOKEN = 1_024;

    static final String PREFIX = "ERYAO_LLM__";
    private static final String KEY_SUFFIX = "__API_KEY";
    static final NumberVariable TIMEOUT = NumberVariable.seconds(PREFIX + "TIMEOUT_SECONDS", 1, 3_600);
    static final NumberVariable MAX_OUTPUT_TOKENS = NumberVariable.count(PREFIX + "MAX_OUTPUT_TOKENS", 1, 1_000_000);
    static final NumberVariable IDLE = NumberVariable.seconds(PREFIX + "IDLE_SECONDS", 1, 3_600);
    static final NumberVariable ANSWER_BYTES_PER_TOKEN = NumberVariable.count(
            PREFIX + "ANSWER_BYTES_PER_TOKEN", MIN_ANSWER_BYTES_PER_TOKEN, MAX_ANSWER_BYTES_PER_TOKEN);

    public LlmSettings {
        TIMEOUT.check(timeout);
        MAX_OUTPUT_TOKENS.check(maxOutputTokens);
        IDLE.check(idle);
        ANSWER_BYTES_PER_TOKEN.check(answerBytesPerToken);
        // Refused, not lowered: the user set it, and a bound that could never apply is a mistake to name.
        if (idle.compareTo(timeout) > 0) {
            throw IDLE.refused(
                    idle,
                    "it must not exceed " + TIMEOUT.name() + " (" + TIMEOUT.shown(timeout)
                            + "), which ends the whole call first; lower it or leave it unset");
        }
        apiKeys = Map.copyOf(apiKeys);
    }

    /** With the default answer allowance. */
    public LlmSettings(Duration timeout, int maxOutputTokens, Duration idle, Map<String, Secret> apiKeys) {
        this(timeout, maxOutputTokens, idle, DEFAULT_ANSWER_BYTES_PER_TOKEN, apiKeys);
    }

    /** With the default idle bound for this timeout. */
    public LlmSettings(Duration timeout, int maxOutputTokens, Map<String, Secret> apiKeys) {
        this(timeout, maxOutputTokens, defaultIdle(timeout), apiKeys);
    }

    /** With the default output cap. */
    public LlmSettings(Duration timeout, Map<String, Secret> apiKeys) {
        this(timeout, DEFAULT_MAX_OUTPUT_TOKENS, apiKeys);
    }

    /**
     * The idle bound when none is set: {@link #DEFAULT_IDLE}, or the timeout when that is shorter,
     * so that setting only a short timeout is not refused for a bound the user never chose.
     */
    public static Duration defaultIdle(Duration timeout) {
        return timeout == null || DEFAULT_IDLE.compareTo(timeout) <= 0 ? DEFAULT_IDLE : timeout;
    }

    static LlmSettings read(VariableReader env) {
        Map<String, Secret> keys = new TreeMap<>();
        for (String name : env.namesStartingWith(PREFIX)) {
            if (name.endsWith(KEY_SUFFIX) && name.length() > PREFIX.length() + KEY_SUFFIX.length()) {
                keys.put(name.substring(PREFIX.length(), name.length() - KEY_SUFFIX.length()), env.headerSecret(name));
            }
        }
        Duration timeout = TIMEOUT.read(env, DEFAULT_TIMEOUT);
        return new LlmSettings(
                timeout,
                MAX_OUTPUT_TOKENS.read(env, DEFAULT_MAX_OUTPUT_TOKENS),
                IDLE.read(env, defaultIdle(timeout)),
                ANSWER_BYTES_PER_TOKEN.read(env, DEFAULT_ANSWER_BYTES_PER_TOKEN),
                keys);
    }

    /** The API key for a factory, if one is set. */
    public Optional<Secret> apiKeyFor(String factoryName) {
        return Optional.ofNullable(apiKeys.get(variablePart(factoryName))).filter(key -> !key.isEmpty());
    }

    /** {@code open-ai.eu} → {@code OPEN_AI_EU}. */
    public static String variablePart(String factoryName) {
        return factoryName.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** {@code openai} → {@code ERYAO_LLM__OPENAI__API_KEY}: the variable a factory's key is read from. */
    public static String keyVariable(String factoryName) {
        return PREFIX + variablePart(factoryName) + KEY_SUFFIX;
    }
}
