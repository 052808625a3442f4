package dev.eryao.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The chat page's own files (the jar's {@code web/}) served from another loopback origin, as a
 * front-end team's dev server would serve their page: the API is then another origin, reached
 * only through CORS.
 */
final class PageServer implements AutoCloseable {
    private static final Map<String, String> TYPES = Map.of(
            "/index.html", "text/html; charset=utf-8",
            "/app.js", "text/javascript; charset=utf-8",
            "/app.css", "text/css; charset=utf-8");

    private final HttpServer server;

    PageServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::serve);
        server.start();
    }

    /** {@code http://127.0.0.1:<port>}, as a browser names this origin. */
    String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String type = TYPES.get(path);
            InputStream file = type == null ? null : PageServer.class.getResourceAsStream("/web" + path);
            if (file == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            try (file;
                    OutputStream out = exchange.getResponseBody()) {
                byte[] body = file.readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", type);
                exchange.sendResponseHeaders(200, body.length);
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
