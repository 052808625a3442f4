package dev.eryao.api;

import io.javalin.http.staticfiles.Location;
import io.javalin.http.staticfiles.StaticFileConfig;
import java.util.Map;

/**
 * The chat page at {@code /}: the static files in the jar's {@code web/} ({@code index.html},
 * {@code app.css}, {@code app.js}; plain files, nothing fetched from elsewhere, so the page works
 * offline). It is an example front-end that uses only the public API. The API's own paths
 * ({@code /v1}, {@code /docs}, {@code /openapi.json}, {@code /healthz}, …) are routes and
 * {@code web/} holds no file under those names, so a path is either a route or a file, never both.
 */
final class ChatPage {
    static final String DIRECTORY = "/web";

    /**
     * On every file: revalidate each time (the files change with the jar, and their ETag and
     * Last-Modified make a repeat cheap); no sniffing; the page runs only its own script and style
     * and may call any API origin the user types (the API decides, through CORS, whom it answers);
     * no framing; the URL, which may name the API, is not sent on as a referrer.
     */
    static final Map<String, String> HEADERS = Map.of(
            "Cache-Control", "no-cache",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            "Content-Security-Policy",
                    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                            + " connect-src 'self' http: https:; base-uri 'none'; form-action 'none';"
                            + " frame-ancestors 'none'");

    private ChatPage() {}

    static void configure(StaticFileConfig files) {
        files.hostedPath = "/";
        files.directory = DIRECTORY;
        files.location = Location.CLASSPATH;
        files.headers = HEADERS;
    }
}
