package dev.eryao.core.config;

/**
 * Where the HTTP API listens, bound from {@code ERYAO_SERVER__*}. The default host is the loopback
 * address, so a developer's {@code bin/eryao serve} is not reachable from the network by accident.
 *
 * @param host         {@code ERYAO_SERVER__HOST}
 * @param port         {@code ERYAO_SERVER__PORT}; 0 picks a free port (tests)
 * @param maxBodyBytes {@code ERYAO_SERVER__MAX_BODY_BYTES}: larger request bodies are refused with 413
 */
public record ServerSettings(String host, int port, int maxBodyBytes) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    static final String PREFIX = "ERYAO_SERVER__";

    static ServerSettings read(VariableReader env) {
        return new ServerSettings(
                env.string(PREFIX + "HOST", DEFAULT_HOST),
                env.integer(PREFIX + "PORT", DEFAULT_PORT, 0, 65_535),
                env.integer(PREFIX + "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1_024, 16 * 1024 * 1024));
    }
}
