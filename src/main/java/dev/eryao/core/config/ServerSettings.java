package dev.eryao.core.config;

/**
 * Where the HTTP API listens, bound from {@code ERYAO_SERVER__*}. The default host is the loopback
 * address, so a developer's {@code bin/eryao serve} is not reachable from the network by accident.
 *
 * @param host                        {@code ERYAO_SERVER__HOST}
 * @param port                        {@code ERYAO_SERVER__PORT}; 0 picks a free port (tests)
 * @param maxBodyBytes                {@code ERYAO_SERVER__MAX_BODY_BYTES}: larger request bodies are refused with 413
 * @param requestHeaderTimeoutSeconds {@code ERYAO_SERVER__REQUEST_HEADER_TIMEOUT_SECONDS}: a request's headers
 *                                    must all arrive within this many seconds of its first byte, or the
 *                                    connection is closed (however steadily a slow client dribbles them)
 * @param requestBodyTimeoutSeconds   {@code ERYAO_SERVER__REQUEST_BODY_TIMEOUT_SECONDS}: a request's body must
 *                                    arrive within this many seconds of its headers, or it is answered 408
 *                                    and the connection closed
 */
public record ServerSettings(String host, int port, int maxBodyBytes, int requestHeaderTimeoutSeconds,
                             int requestBodyTimeoutSeconds) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    /** Headers are a few hundred bytes: ten seconds is ample on any real network. */
    public static final int DEFAULT_REQUEST_HEADER_TIMEOUT_SECONDS = 10;
    /** A body is at most {@link #DEFAULT_MAX_BODY_BYTES}: thirty seconds is about 2 KiB/s. */
    public static final int DEFAULT_REQUEST_BODY_TIMEOUT_SECONDS = 30;

    static final String PREFIX = "ERYAO_SERVER__";

    /** With the default request timeouts (tests and tools that only choose where to listen). */
    public ServerSettings(String host, int port, int maxBodyBytes) {
        this(host, port, maxBodyBytes, DEFAULT_REQUEST_HEADER_TIMEOUT_SECONDS, DEFAULT_REQUEST_BODY_TIMEOUT_SECONDS);
    }

    static ServerSettings read(VariableReader env) {
        return new ServerSettings(
                env.string(PREFIX + "HOST", DEFAULT_HOST),
                env.integer(PREFIX + "PORT", DEFAULT_PORT, 0, 65_535),
                env.integer(PREFIX + "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1_024, 16 * 1024 * 1024),
                env.integer(PREFIX + "REQUEST_HEADER_TIMEOUT_SECONDS", DEFAULT_REQUEST_HEADER_TIMEOUT_SECONDS, 1, 300),
                env.integer(PREFIX + "REQUEST_BODY_TIMEOUT_SECONDS", DEFAULT_REQUEST_BODY_TIMEOUT_SECONDS, 1, 3_600));
    }
}
