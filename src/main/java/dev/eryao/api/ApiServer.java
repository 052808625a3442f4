package dev.eryao.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.auth.JwtVerifier;
import dev.eryao.core.auth.TokenIssuer;
import dev.eryao.core.config.ServerSettings;
import dev.eryao.core.db.Notifications;
import dev.eryao.core.tracing.Tracing;
import dev.eryao.services.CatalogService;
import dev.eryao.services.McpServerService;
import dev.eryao.services.MessageService;
import dev.eryao.services.PointsService;
import dev.eryao.services.RunService;
import dev.eryao.services.SessionService;
import dev.eryao.services.StreamTicketService;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The HTTP API: Javalin 7 on Jetty, one virtual thread per request (each request's unit of work
 * is bound to its thread). Everything is declared in one place here: the request id, the auth
 * check of each route's declared role, the routes, the problem mapping and the metrics.
 */
public final class ApiServer implements AutoCloseable {
    static final int RESPONSE_COPY_BUFFER_BYTES = 4096;

    private final ServerSettings settings;
    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final RouteTable table;
    private final Javalin javalin;
    /** The event streams open on this server: ended before it stops (see OpenStreams). */
    private final OpenStreams streams = new OpenStreams();
    /** How long stopping waits for open event streams to end. */
    private static final java.time.Duration STREAMS_PATIENCE = java.time.Duration.ofSeconds(2);

    /**
     * @param registry   where the API's and the process's metrics are kept; its owner closes it
     * @param runChanges announcements of run changes, which wake the runs' event streams
     * @param localTokens the local secret's signer when this server may mint tokens itself
     *     ({@code /local/token}, for the chat page), else empty
     * @param tracing    where each request's span goes; off, no request is traced (nothing is registered)
     */
    public ApiServer(
            ServerSettings settings,
            JwtVerifier verifier,
            ReadinessCheck readiness,
            PrometheusMeterRegistry registry,
            SessionService sessions,
            MessageService messages,
            RunService runs,
            Notifications runChanges,
            PointsService points,
            CatalogService catalog,
            McpServerService mcpServers,
            StreamTicketService streamTickets,
            Optional<TokenIssuer> localTokens,
            Tracing tracing) {
        this.settings = settings;
        this.registry = registry;
        ObjectMapper mapper = JsonBodies.strictMapper();
        StreamTickets tickets = new StreamTickets(streamTickets);
        this.table = declare(
                mapper,
                readiness,
                registry,
                sessions,
                messages,
                runs,
                runChanges,
                points,
                catalog,
                mcpServers,
                tickets,
                streams);
        Optional<LocalTokenRoutes> local = localTokens.map(issuer -> new LocalTokenRoutes(issuer, Clock.systemUTC()));
        local.ifPresent(routes -> routes.register(table));
        bindJvmMetrics();

        ProblemMapper problems = new ProblemMapper(mapper);
        AuthHandler auth = new AuthHandler(verifier, tickets);
        CorsHeaders cors = new CorsHeaders(settings.corsOrigins(), methods(table));
        HttpMetrics http = new HttpMetrics(
                registry, table.routes().stream().map(route -> route.path).toList());
        Optional<RequestTraces> traces = tracing.enabled() ? Optional.of(new RequestTraces(tracing)) : Optional.empty();
        this.javalin = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = settings.maxBodyBytes();
            config.http.prefer405over404 = true;
            config.http.defaultContentType = "application/json";
            // Answers are small JSON, so compressing them gains nothing, while Javalin would check
            // the response headers on every write to decide. A proxy in front may compress.
            config.http.compressionStrategy = CompressionStrategy.NONE;
            // Javalin copies every answer to Jetty through a buffer of this size, new for each
            // request; by default it is Jetty's whole output buffer (32 KiB), so every request,
            // however small its answer, left a buffer that large for the garbage collector.
            // Answers are mostly far smaller; a larger one is copied in steps.
            config.http.responseBufferSize = RESPONSE_COPY_BUFFER_BYTES;
            // Jetty caches header lines per connection to parse repeats faster; bearer tokens differ
            // from request to request (many users behind one proxy connection), so the cache only
            // churned, inserting every token and never finding one again.
            config.jetty.modifyHttpConfiguration(jetty -> jetty.setHeaderCacheSize(0));
            config.jetty.modifyServer(server -> {
                server.insertHandler(new MethodOverrideGuard());
                // Outermost, so that every answer, Jetty's own refusals included, carries it.
                server.insertHandler(cors);
                server.setErrorHandler(new ProblemErrorHandler(mapper));
            });
            // Our own connector (Javalin's default one, plus the request deadlines on every connection).
            config.jetty.addConnector((server, httpConfiguration) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfiguration));
                connector.setHost(settings.host());
                connector.setPort(settings.port());
                connector.addBean(new RequestDeadlines(settings.requestHeaderTimeout(), settings.requestBodyTimeout()));
                return connector;
            });
            config.jsonMapper(new JavalinJackson(mapper, true));
            config.staticFiles.enableWebjars();
            config.staticFiles.add(ChatPage::configure);
            traces.ifPresent(requests -> config.routes.before(requests::start));
            config.routes.before(ctx -> {
                RequestIds.assign(ctx);
                http.start(ctx);
            });
            local.ifPresent(routes -> config.routes.before(LocalTokenRoutes.PATH, routes::guard));
            config.routes.beforeMatched(auth);
            config.routes.after(http::stop);
            traces.ifPresent(requests -> config.routes.after(requests::stop));
            problems.register(config.routes);
            table.registerAll(config.routes);
        });
    }

    /** Every route, declared by its class (the declarations need nothing of their collaborators until called). */
    private static RouteTable declare(
            ObjectMapper mapper,
            ReadinessCheck readiness,
            PrometheusMeterRegistry registry,
            SessionService sessions,
            MessageService messages,
            RunService runs,
            Notifications runChanges,
            PointsService points,
            CatalogService catalog,
            McpServerService mcpServers,
            StreamTickets tickets,
            OpenStreams streams) {
        RouteTable table = new RouteTable(new JsonBodies(mapper));
        new SessionRoutes(sessions, messages).register(table);
        new RunRoutes(runs, runChanges, mapper, streams).register(table, tickets);
        new SessionEventRoutes(runs, sessions, runChanges, mapper, streams).register(table, tickets);
        new CatalogRoutes(catalog).register(table);
        new PointsRoutes(points).register(table);
        new AdminRoutes(points, catalog, mcpServers).register(table);
        new OpsRoutes(readiness, registry, mapper, () -> table).register(table);
        return table;
    }

    /**
     * The OpenAPI document {@code /openapi.json} serves, without a database or a server: the route
     * declarations alone make it (for {@code eryao openapi} and the lints). No handler is called.
     */
    public static String openApiDocument() {
        ObjectMapper mapper = JsonBodies.strictMapper();
        try {
            return OpsRoutes.document(
                    mapper,
                    declare(
                            mapper,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            new StreamTickets(null),
                            new OpenStreams()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the OpenAPI document", e);
        }
    }

    /** Starts listening on the configured host and port (0: a free one); see {@link #port()}. */
    public ApiServer start() {
        javalin.start();
        return this;
    }

    /** The port it listens on. */
    public int port() {
        return javalin.port();
    }

    /** Every route served, as {@code METHOD /path}. */
    public List<String> routes() {
        return table.routes().stream().map(Route::toString).toList();
    }

    @Override
    public void close() {
        try {
            streams.closeAll(STREAMS_PATIENCE);
            javalin.stop();
        } finally {
            gcMetrics.close();
        }
    }

    /** The methods the routes use, for CORS preflights. */
    private static List<String> methods(RouteTable table) {
        return table.routes().stream()
                .map(route -> route.method.name())
                .distinct()
                .sorted()
                .toList();
    }

    private void bindJvmMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }
}
