package dev.eryao.core.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * How registered MCP servers are called, bound from {@code ERYAO_MCP__*}, and the values of the
 * variables a registration may name for its secret header.
 *
 * <p>A registration stores only the <em>name</em> of the variable that holds its secret header's
 * value, never the value. Such a variable is {@code ERYAO_} followed by capitals, digits and single
 * underscores — never a {@code __}, so it can never be one of the backend's own settings (all of
 * them {@code ERYAO_<GROUP>__<NAME>}, besides {@code ERYAO_DATA_DIR}, {@code ERYAO_JAVA_OPTS} and
 * {@code ERYAO_PROJECT_DIR}, which are refused by name): a registration cannot send
 * the database password or the JWT secret to a tool server. Each process reads the variables it
 * was started with (the worker's are the ones calls use); {@code toString()} masks their values.
 *
 * @param callTimeout    {@code ERYAO_MCP__CALL_TIMEOUT_SECONDS}: the longest one call to a server may
 *                       take — connecting, the protocol's handshake, listing or calling — before it is
 *                       given up as an error result
 * @param maxResultBytes {@code ERYAO_MCP__MAX_RESULT_BYTES}: the most bytes (UTF-8) of a tool's result
 *                       kept for the model; a longer one is cut there and marked as cut
 * @param toolsCacheTtl  {@code ERYAO_MCP__TOOLS_CACHE_SECONDS}: how long a server's listed tools are
 *                       reused before it is listed again (0: listed every time); a changed
 *                       registration is listed again at once
 * @param secretValues   the values of the variables secret headers may name, by variable name
 */
public record McpSettings(
        Duration callTimeout, int maxResultBytes, Duration toolsCacheTtl, Map<String, Secret> secretValues) {
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_RESULT_BYTES = 64 * 1024;
    public static final Duration DEFAULT_TOOLS_CACHE_TTL = Duration.ofSeconds(60);
    /** What a secret header's variable must look like (see the class comment). */
    public static final Pattern SECRET_VARIABLE = Pattern.compile("^ERYAO_[A-Z0-9]+(_[A-Z0-9]+)*$");

    static final String PREFIX = "ERYAO_MCP__";
    static final NumberVariable CALL_TIMEOUT = NumberVariable.seconds(PREFIX + "CALL_TIMEOUT_SECONDS", 1, 3_600);
    static final NumberVariable MAX_RESULT_BYTES =
            NumberVariable.count(PREFIX + "MAX_RESULT_BYTES", 1_024, 16 * 1024 * 1024);
    static final NumberVariable TOOLS_CACHE_TTL = NumberVariable.seconds(PREFIX + "TOOLS_CACHE_SECONDS", 0, 86_400);
    /** The backend's own variables that have no {@code __}: never a secret header's value. */
    private static final java.util.Set<String> OWN_VARIABLES =
            java.util.Set.of("ERYAO_DATA_DIR", "ERYAO_JAVA_OPTS", "ERYAO_PROJECT_DIR");

    public McpSettings {
        CALL_TIMEOUT.check(callTimeout);
        MAX_RESULT_BYTES.check(maxResultBytes);
        TOOLS_CACHE_TTL.check(toolsCacheTtl);
        secretValues = Map.copyOf(secretValues);
    }

    public static McpSettings defaults() {
        return new McpSettings(DEFAULT_CALL_TIMEOUT, DEFAULT_MAX_RESULT_BYTES, DEFAULT_TOOLS_CACHE_TTL, Map.of());
    }

    static McpSettings read(VariableReader env) {
        Map<String, Secret> values = new TreeMap<>();
        for (String name : env.namesStartingWith("ERYAO_")) {
            if (isSecretVariable(name)) {
                values.put(name, env.secret(name));
            }
        }
        return new McpSettings(
                CALL_TIMEOUT.read(env, DEFAULT_CALL_TIMEOUT),
                MAX_RESULT_BYTES.read(env, DEFAULT_MAX_RESULT_BYTES),
                TOOLS_CACHE_TTL.read(env, DEFAULT_TOOLS_CACHE_TTL),
                values);
    }

    /** Whether a registration may name {@code variable} for its secret header's value. */
    public static boolean isSecretVariable(String variable) {
        return variable != null && SECRET_VARIABLE.matcher(variable).matches() && !OWN_VARIABLES.contains(variable);
    }

    /** The value of a secret header's variable, empty when it is unset or blank in this process. */
    public Optional<Secret> secret(String variable) {
        return Optional.ofNullable(secretValues.get(variable)).filter(value -> !value.isEmpty());
    }

    public McpSettings withSecretValues(Map<String, Secret> values) {
        return new McpSettings(callTimeout, maxResultBytes, toolsCacheTtl, values);
    }
}
