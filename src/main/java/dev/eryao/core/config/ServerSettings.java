package dev.eryao.core.config;

import java.time.Duration;
import java.util.List;

/**
 * Where the HTTP API listens, bound from {@code ERYAO_SERVER__*}; the constructor refuses a value out
 * of range, by variable. The default host is the loopback address, so a developer's
 * {@code bin/eryao serve} is not reachable from the network by accident.
 *
 * @param host                 {@code ERYAO_SERVER__HOST}
 * @param port                 {@code ERYAO_SERVER__PORT}; 0 picks a free port (tests)
 * @param maxBodyBytes         {@code ERYAO_SERVER__MAX_BODY_BYTES}: larger request bodies are refused with 413
 * @param requestHeaderTimeout {@code ERYAO_SERVER__REQUEST_HEADER_TIMEOUT_SECONDS}: a request's headers
 *                             must all arrive within this of its first byte, or the connection is
 *                             closed (however steadily a slow client dribbles them)
 * @param requestBodyTimeout   {@code ERYAO_SERVER__REQUEST_BODY_TIMEOUT_SECONDS}: a request's body must
 *                             arrive within this of its headers, or it is answered 408 and the
 *                             connection closed
 * @param corsOrigins          {@code ERYAO_SERVER__CORS_ORIGINS}: the exact origins whose pages may call
 *                             the API from a browser (CORS); none by default, so only pages of the API's
 *                             own origin can (see {@link CorsOrigins})
 */
public record ServerSettings(
        String host,
        int port,
        int maxBodyBytes,
        Duration requestHeaderTimeout,
        Duration requestBodyTimeout,
        List<String> corsOrigins) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    /** Headers are a few hundred bytes: ten seconds is ample on any real network. */
    public static final Duration DEFAULT_REQUEST_HEADER_TIMEOUT = Duration.ofSeconds(10);
    /** A body is at most {@link #DEFAULT_MAX_BODY_BYTES}: thirty seconds is about 2 KiB/s. */
    public static final Duration DEFAULT_REQUEST_BODY_TIMEOUT = Duration.ofSeconds(30);

    static final String PREFIX = "ERYAO_SERVER__";
    static final NumberVariable PORT = NumberVariable.count(PREFIX + "PORT", 0, 65_535);
    static final NumberVariable MAX_BODY_BYTES =
            NumberVariable.count(PREFIX + "MAX_BODY_BYTES", 1_024, 16 * 1024 * 1024);
    static final NumberVariable REQUEST_HEADER_TIMEOUT =
            NumberVariable.seconds(PREFIX + "REQUEST_HEADER_TIMEOUT_SECONDS", 1, 300);
    static final NumberVariable REQUEST_BODY_TIMEOUT =
            NumberVariable.seconds(PREFIX + "REQUEST_BODY_TIMEOUT_SECONDS", 1, 3_600);

    public ServerSettings {
        if (host == null || host.isBlank()) {
            throw new SettingsException(PREFIX + "HOST='" + (host == null ? "" : host)
                    + "' is not accepted: expected a host name or address");
        }
        PORT.check(port);
        MAX_BODY_BYTES.check(maxBodyBytes);
        REQUEST_HEADER_TIMEOUT.check(requestHeaderTimeout);
        REQUEST_BODY_TIMEOUT.check(requestBodyTimeout);
        corsOrigins = CorsOrigins.check(SettingsException.required(CorsOrigins.VARIABLE, corsOrigins));
    }

    /** With no cross-origin callers (same-origin pages only). */
    public ServerSettings(
            String host, int port, int maxBodyBytes, Duration requestHeaderTimeout, Duration requestBodyTimeout) {
        this(host, port, maxBodyBytes, requestHeaderTimeout, requestBodyTimeout, List.of());
    }

    /** With the default request timeouts (tests and tools that only choose where to listen). */
    public ServerSettings(String host, int port, int maxBodyBytes) {
        this(host, port, maxBodyBytes, DEFAULT_REQUEST_HEADER_TIMEOUT, DEFAULT_REQUEST_BODY_TIMEOUT);
    }

    static ServerSettings read(VariableReader env) {
        return new ServerSettings(
                env.string(PREFIX + "HOST", DEFAULT_HOST),
                PORT.read(env, DEFAULT_PORT),
                MAX_BODY_BYTES.read(env, DEFAULT_MAX_BODY_BYTES),
                REQUEST_HEADER_TIMEOUT.read(env, DEFAULT_REQUEST_HEADER_TIMEOUT),
                REQUEST_BODY_TIMEOUT.read(env, DEFAULT_REQUEST_BODY_TIMEOUT),
                CorsOrigins.parse(env.optionalString(CorsOrigins.VARIABLE)));
    }
}
