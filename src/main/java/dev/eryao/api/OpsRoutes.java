package dev.eryao.api;

import static dev.eryao.api.ApiRole.ANYONE;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.HandlerType;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.function.Supplier;

/** Health, readiness, metrics and the API's own documentation: no token needed. */
final class OpsRoutes {
    private static final String TAG = "operations";
    /** The API's version in its document. */
    static final String API_VERSION = "0.1.0";

    private static final String SWAGGER_POM = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";

    record Health(String status) {}

    private final ReadinessCheck readiness;
    private final PrometheusMeterRegistry metrics;
    private final ObjectMapper json;
    private final Supplier<RouteTable> table;

    /** @param table the finished route table (read when the document is first asked for) */
    OpsRoutes(
            ReadinessCheck readiness, PrometheusMeterRegistry metrics, ObjectMapper json, Supplier<RouteTable> table) {
        this.readiness = readiness;
        this.metrics = metrics;
        this.json = json;
        this.table = table;
    }

    void register(RouteTable routes) {
        routes.add(
                Route.of(HandlerType.GET, "/healthz", ANYONE, TAG)
                        .summary("The process is up")
                        .returns(Health.class),
                call -> new Health("ok"));
        routes.add(
                Route.of(HandlerType.GET, "/readyz", ANYONE, TAG)
                        .summary(
                                "The database answers now, within 2 s, its schema is at head, and every worker thread this"
                                        + " process started is running (503 otherwise)")
                        .returns(ReadinessCheck.Report.class)
                        .alsoAnswers(503, "not ready: the report says which check failed")
                        // Each probe is a fresh question to the database: no cache along the way may answer it.
                        .header("Cache-Control", "no-store"),
                call -> {
                    ReadinessCheck.Report report = readiness.check();
                    return call.answer(report.ready() ? 200 : 503, report);
                });
        routes.add(
                Route.of(HandlerType.GET, "/metrics", ANYONE, TAG)
                        .summary("Prometheus metrics")
                        .returnsText("text/plain; version=0.0.4; charset=utf-8"),
                call -> metrics.scrape());
        routes.add(
                Route.of(HandlerType.GET, "/openapi.json", ANYONE, TAG)
                        .summary("This document")
                        .returnsText("application/json"),
                call -> document());
        routes.add(
                Route.of(HandlerType.GET, "/docs", ANYONE, TAG)
                        .summary("Swagger UI")
                        .returnsText("text/html"),
                call -> swaggerPage());
    }

    private String document() throws JsonProcessingException {
        return document(json, table.get());
    }

    /** The OpenAPI document of {@code table}'s routes, as served. */
    static String document(ObjectMapper json, RouteTable table) throws JsonProcessingException {
        return json.writerWithDefaultPrettyPrinter().writeValueAsString(OpenApi.document(table.routes(), API_VERSION));
    }

    /** Swagger UI from the webjar in our own jar: the page works with no internet. */
    static String swaggerPage() {
        String base = "/webjars/swagger-ui/" + swaggerVersion();
        return """
                <!doctype html>
                <html lang="en">
                <head><meta charset="utf-8"><title>ERYAO API</title>
                <link rel="stylesheet" href="%1$s/swagger-ui.css"></head>
                <body><div id="swagger-ui"></div>
                <script src="%1$s/swagger-ui-bundle.js"></script>
                <script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});</script>
                </body></html>
                """.formatted(base);
    }

    static String swaggerVersion() {
        try (InputStream in = OpsRoutes.class.getResourceAsStream(SWAGGER_POM)) {
            if (in == null) {
                throw new IllegalStateException("the swagger-ui webjar is not on the class path");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
