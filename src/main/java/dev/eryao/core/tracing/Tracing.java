package dev.eryao.core.tracing;

import dev.eryao.core.config.Environment;
import dev.eryao.core.config.SettingsException;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The process's traces: OpenTelemetry's SDK exporting spans with OTLP when
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} (or {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}) is set, and
 * off otherwise — then every part gets the API's no-op implementation, whose spans are a shared
 * constant, and nothing is wrapped (no request handler, no statement proxy). The standard
 * {@code OTEL_*} variables are honoured through the SDK's autoconfigure module (service name,
 * sampler, propagators, headers, batch settings); {@code OTEL_SDK_DISABLED=true} turns it off too.
 * The protocol is OTLP/HTTP with protobuf ({@code grpc} needs a sender this build does not carry,
 * and is refused at start-up like any value the SDK cannot use, as a {@link SettingsException}). Only traces are exported: metrics stay with Micrometer's {@code /metrics}, logs with the
 * log, unless {@code OTEL_METRICS_EXPORTER} / {@code OTEL_LOGS_EXPORTER} say otherwise.
 */
public final class Tracing implements AutoCloseable {
    public static final String ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public static final String TRACES_ENDPOINT = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    /** The instrumentation scope of every span the backend makes. */
    static final String SCOPE = "dev.eryao";

    private static final AttributeKey<Long> PROCESS_PID = AttributeKey.longKey("process.pid");
    private static final Tracing OFF = new Tracing(OpenTelemetry.noop(), null);

    private final OpenTelemetry openTelemetry;
    /** The SDK to flush and shut down; null when off. */
    private final OpenTelemetrySdk sdk;

    private final Tracer tracer;

    private Tracing(OpenTelemetry openTelemetry, OpenTelemetrySdk sdk) {
        this.openTelemetry = openTelemetry;
        this.sdk = sdk;
        this.tracer = openTelemetry.getTracer(SCOPE);
    }

    /** No traces: every span a no-op. */
    public static Tracing off() {
        return OFF;
    }

    /**
     * From the process's environment over {@code ./.env}, as the settings are read (and
     * {@code -Dotel.*} properties, as the SDK reads them).
     */
    public static Tracing fromEnvironment() {
        Environment environment = Environment.load();
        Map<String, String> variables = new HashMap<>();
        for (String name : environment.namesStartingWith("OTEL_")) {
            environment.get(name).ifPresent(value -> variables.put(name, value));
        }
        return from(variables);
    }

    /**
     * From {@code variables} ({@code OTEL_*} names, as in the environment): on when an OTLP
     * endpoint is named. The variables given win over the process's own, so a test or a tool can
     * point one app's traces somewhere without touching the environment.
     */
    public static Tracing from(Map<String, String> variables) {
        if (!wanted(variables)) {
            return OFF;
        }
        Map<String, String> given = properties(variables);
        OpenTelemetrySdk sdk;
        try {
            sdk = configure(given);
        } catch (ConfigurationException e) {
            // The SDK's own words and the cause's class, never the cause's message: it may quote a
            // value of OTEL_EXPORTER_OTLP_HEADERS, which holds a collector's key.
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new SettingsException("the OTEL_* variables cannot be used: " + e.getMessage()
                    + (cause == e ? "" : " (" + cause.getClass().getSimpleName() + ")"));
        }
        return new Tracing(sdk, sdk);
    }

    private static OpenTelemetrySdk configure(Map<String, String> given) {
        return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(Tracing::defaults)
                .addPropertiesCustomizer(config -> given)
                // Which process a span came from, so that one run's trace shows its processes apart.
                .addResourceCustomizer((resource, config) -> resource.merge(Resource.create(
                        Attributes.of(PROCESS_PID, ProcessHandle.current().pid()))))
                .disableShutdownHook() // App closes it, after the parts that make spans
                .build()
                .getOpenTelemetrySdk();
    }

    /** Whether the variables ask for traces: an OTLP endpoint named, the SDK not disabled. */
    static boolean wanted(Map<String, String> variables) {
        boolean endpoint = present(variables.get(ENDPOINT)) || present(variables.get(TRACES_ENDPOINT));
        return endpoint && !"true".equalsIgnoreCase(strip(variables.get("OTEL_SDK_DISABLED")));
    }

    /** What the backend asks of the SDK unless a variable says otherwise. */
    private static Map<String, String> defaults() {
        return Map.of(
                "otel.service.name", "eryao",
                "otel.traces.exporter", "otlp",
                // The specification's default; the SDK's own is gRPC, whose sender (OkHttp or a
                // gRPC channel) this build does not carry.
                "otel.exporter.otlp.protocol", "http/protobuf",
                "otel.metrics.exporter", "none",
                "otel.logs.exporter", "none");
    }

    /** {@code OTEL_FOO_BAR} as the SDK's property {@code otel.foo.bar}. */
    private static Map<String, String> properties(Map<String, String> variables) {
        Map<String, String> properties = new HashMap<>();
        variables.forEach((name, value) -> {
            if (name.startsWith("OTEL_") && present(value)) {
                properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value.strip());
            }
        });
        return properties;
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    private static String strip(String value) {
        return value == null ? "" : value.strip();
    }

    /** Whether spans are recorded and exported at all; when false nothing needs wrapping. */
    public boolean enabled() {
        return sdk != null;
    }

    public Tracer tracer() {
        return tracer;
    }

    /** How a request's incoming trace context is read ({@code OTEL_PROPAGATORS}; W3C by default). */
    public TextMapPropagator propagator() {
        return openTelemetry.getPropagators().getTextMapPropagator();
    }

    /** Sends what is recorded now, waiting up to {@code limit}; true when it was sent. */
    public boolean flush(Duration limit) {
        if (sdk == null) {
            return true;
        }
        return sdk.getSdkTracerProvider()
                .forceFlush()
                .join(limit.toMillis(), TimeUnit.MILLISECONDS)
                .isSuccess();
    }

    /** Exports what is left and stops; harmless when off or closed already. */
    @Override
    public void close() {
        if (sdk != null) {
            sdk.shutdown().join(5, TimeUnit.SECONDS);
        }
    }
}
