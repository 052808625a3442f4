package dev.eryao.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * A trace collector on loopback: a real HTTP server taking OTLP/HTTP exports at
 * {@code /v1/traces} (the protobuf encoding, as OpenTelemetry's Java exporter sends it; gzipped or
 * not), decoding each {@code ExportTraceServiceRequest} into {@link ReceivedSpan}s with their
 * resource's attributes, and answering as a collector does (200, an empty response message).
 * Point a process at it with {@code OTEL_EXPORTER_OTLP_ENDPOINT=}{@link #endpoint()}.
 */
public final class OtlpReceiver implements AutoCloseable {
    /**
     * One span as it arrived.
     *
     * @param traceId      32 hex digits
     * @param parentSpanId 16 hex digits; empty for a root span
     * @param kind         OTLP's number: 1 internal, 2 server, 3 client, 4 producer, 5 consumer
     * @param statusCode   0 unset, 1 ok, 2 error
     * @param resource     the exporting process's resource attributes ({@code service.name}, {@code process.pid})
     */
    public record ReceivedSpan(
            String traceId,
            String spanId,
            String parentSpanId,
            String name,
            int kind,
            long startNanos,
            long endNanos,
            int statusCode,
            Map<String, Object> attributes,
            Map<String, Object> resource) {
        public Object attribute(String key) {
            return attributes.get(key);
        }

        public boolean isChildOf(ReceivedSpan parent) {
            return traceId.equals(parent.traceId) && parentSpanId.equals(parent.spanId);
        }
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new ArrayList<>();
    private int exports;
    private final List<String> failures = new ArrayList<>();

    public OtlpReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/traces", this::receive);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** The base URL for {@code OTEL_EXPORTER_OTLP_ENDPOINT} (the exporter adds {@code /v1/traces}). */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The variables that send a process's (or an app's) traces here, batched briefly. */
    public Map<String, String> variables() {
        return Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint(), "OTEL_BSP_SCHEDULE_DELAY", "100");
    }

    public synchronized List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    /** How many export requests arrived (0: nothing was ever sent here). */
    public synchronized int exports() {
        return exports;
    }

    /**
     * Waits until a received span matches {@code wanted}, up to {@code limit}; the spans then. Fails
     * with what did arrive when none does.
     */
    public List<ReceivedSpan> await(Predicate<ReceivedSpan> wanted, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (this) {
            while (spans.stream().noneMatch(wanted)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no span as wanted arrived within " + limit + "; arrived: "
                            + spans.stream().map(ReceivedSpan::name).toList() + "; refused: " + failures);
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return List.copyOf(spans);
        }
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (type == null || !type.startsWith("application/x-protobuf")) {
                exchange.sendResponseHeaders(415, -1);
                return;
            }
            InputStream body = exchange.getRequestBody();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                body = new GZIPInputStream(body);
            }
            List<ReceivedSpan> decoded;
            try {
                decoded = exportRequest(new Reader(body.readAllBytes()));
            } catch (RuntimeException e) {
                // Not OTLP as this receiver reads it: a 400, as a collector answers, and the test sees why.
                synchronized (this) {
                    failures.add(e.toString());
                }
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            synchronized (this) {
                spans.addAll(decoded);
                exports++;
                notifyAll();
            }
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse
        }
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    private static List<ReceivedSpan> exportRequest(Reader message) {
        List<ReceivedSpan> spans = new ArrayList<>();
        while (message.more()) {
            int field = message.tag();
            if (field == 1) {
                resourceSpans(message.message(), spans);
            } else {
                message.skip();
            }
        }
        return spans;
    }

    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    // Resource { repeated KeyValue attributes = 1; }  ScopeSpans { scope = 1; repeated Span spans = 2; }
    private static void resourceSpans(Reader message, List<ReceivedSpan> into) {
        Map<String, Object> resource = new HashMap<>();
        List<Reader> scopes = new ArrayList<>();
        while (message.more()) {
            int field = message.tag();
            if (field == 1) {
                Reader attributes = message.message();
                while (attributes.more()) {
                    if (attributes.tag() == 1) {
                        keyValue(attributes.message(), resource);
                    } else {
                        attributes.skip();
                    }
                }
            } else if (field == 2) {
                scopes.add(message.message());
            } else {
                message.skip();
            }
        }
        for (Reader scope : scopes) {
            while (scope.more()) {
                if (scope.tag() == 2) {
                    into.add(span(scope.message(), Map.copyOf(resource)));
                } else {
                    scope.skip();
                }
            }
        }
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
    //        string name = 5; SpanKind kind = 6; fixed64 start = 7; fixed64 end = 8;
    //        repeated KeyValue attributes = 9; ... Status status = 15; }
    private static ReceivedSpan span(Reader message, Map<String, Object> resource) {
        String traceId = "";
        String spanId = "";
        String parent = "";
        String name = "";
        int kind = 0;
        long start = 0;
        long end = 0;
        int status = 0;
        Map<String, Object> attributes = new HashMap<>();
        while (message.more()) {
            switch (message.tag()) {
                case 1 -> traceId = HexFormat.of().formatHex(message.bytes());
                case 2 -> spanId = HexFormat.of().formatHex(message.bytes());
                case 4 -> parent = HexFormat.of().formatHex(message.bytes());
                case 5 -> name = message.string();
                case 6 -> kind = (int) message.varint();
                case 7 -> start = message.fixed64();
                case 8 -> end = message.fixed64();
                case 9 -> keyValue(message.message(), attributes);
                case 15 -> {
                    Reader statusMessage = message.message();
                    while (statusMessage.more()) {
                        if (statusMessage.tag() == 3) {
                            status = (int) statusMessage.varint();
                        } else {
                            statusMessage.skip();
                        }
                    }
                }
                default -> message.skip();
            }
        }
        return new ReceivedSpan(
                traceId, spanId, parent, name, kind, start, end, status, Map.copyOf(attributes), resource);
    }

    // KeyValue { string key = 1; AnyValue value = 2; }
    private static void keyValue(Reader message, Map<String, Object> into) {
        String key = null;
        Object value = null;
        while (message.more()) {
            int field = message.tag();
            if (field == 1) {
                key = message.string();
            } else if (field == 2) {
                value = anyValue(message.message());
            } else {
                message.skip();
            }
        }
        if (key != null && value != null) {
            into.put(key, value);
        }
    }

    // AnyValue { oneof: string 1, bool 2, int64 3, double 4, ArrayValue 5 { repeated AnyValue 1 }, ..., bytes 7 }
    private static Object anyValue(Reader message) {
        Object value = null;
        while (message.more()) {
            switch (message.tag()) {
                case 1 -> value = message.string();
                case 2 -> value = message.varint() != 0;
                case 3 -> value = message.varint();
                case 4 -> value = Double.longBitsToDouble(message.fixed64());
                case 5 -> {
                    Reader array = message.message();
                    List<Object> values = new ArrayList<>();
                    while (array.more()) {
                        if (array.tag() == 1) {
                            values.add(anyValue(array.message()));
                        } else {
                            array.skip();
                        }
                    }
                    value = List.copyOf(values);
                }
                default -> message.skip();
            }
        }
        return value;
    }

    /** Protocol Buffers' wire format, as far as OTLP's trace messages need it. */
    private static final class Reader {
        private final byte[] data;
        private int at;
        private final int end;
        private int wireType;

        Reader(byte[] data) {
            this(data, 0, data.length);
        }

        private Reader(byte[] data, int from, int end) {
            this.data = data;
            this.at = from;
            this.end = end;
        }

        boolean more() {
            return at < end;
        }

        /** The next field's number (its wire type kept for what reads it). */
        int tag() {
            long key = varint();
            wireType = (int) (key & 7);
            return (int) (key >>> 3);
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = data[at++];
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("a varint longer than 10 bytes");
        }

        long fixed64() {
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value |= (long) (data[at++] & 0xff) << (8 * i);
            }
            return value;
        }

        byte[] bytes() {
            int length = (int) varint();
            byte[] value = java.util.Arrays.copyOfRange(data, at, at + length);
            at += length;
            return value;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        Reader message() {
            int length = (int) varint();
            Reader inner = new Reader(data, at, at + length);
            at += length;
            return inner;
        }

        void skip() {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> at += 8;
                case 2 -> {
                    int length = (int) varint(); // read first: "at += varint()" would add to the old position
                    at += length;
                }
                case 5 -> at += 4;
                default -> throw new IllegalArgumentException("wire type " + wireType + " is not OTLP's");
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
