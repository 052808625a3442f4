package dev.eryao.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A trace collector that keeps nothing, for measuring what tracing costs the traced process: it
 * takes OTLP/HTTP exports at {@code /v1/traces} on a free loopback port, reads each body whole and
 * answers 200 as a collector does, and counts the exports and their bytes (so the report can show
 * that spans did flow). Writes its port to {@code <port file>} once it listens, and the counts to
 * {@code <port file>.counts} on every export.
 *
 * <pre>
 *   java -cp ... dev.eryao.bench.OtlpSink &lt;port file&gt;
 * </pre>
 */
public final class OtlpSink {
    private OtlpSink() {}

    public static void main(String[] args) throws IOException {
        Path portFile = Path.of(args[0]);
        Path counts = Path.of(args[0] + ".counts");
        AtomicLong exports = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/traces", exchange -> {
            try (HttpExchange done = exchange) {
                long read = done.getRequestBody().readAllBytes().length;
                long n = exports.incrementAndGet();
                long total = bytes.addAndGet(read);
                done.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                done.sendResponseHeaders(200, -1);
                synchronized (counts) {
                    Files.writeString(counts, "exports=" + n + " bytes=" + total + "\n");
                }
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        Files.writeString(portFile, String.valueOf(server.getAddress().getPort()));
    }
}
