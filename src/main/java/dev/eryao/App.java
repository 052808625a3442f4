package dev.eryao;

import dev.eryao.api.ApiServer;
import dev.eryao.api.ReadinessCheck;
import dev.eryao.core.auth.JwtVerifier;
import dev.eryao.core.auth.TokenIssuer;
import dev.eryao.core.config.AuthSettings;
import dev.eryao.core.config.LlmSettings;
import dev.eryao.core.config.ServerSettings;
import dev.eryao.core.config.Settings;
import dev.eryao.core.config.WorkerSettings;
import dev.eryao.core.db.Database;
import dev.eryao.core.db.Notifications;
import dev.eryao.core.db.Persistence;
import dev.eryao.core.db.Transactions;
import dev.eryao.core.tracing.TracedDataSource;
import dev.eryao.core.tracing.Tracing;
import dev.eryao.mcp.McpToolClient;
import dev.eryao.migrations.SchemaStatus;
import dev.eryao.models.Models;
import dev.eryao.provider.ChatCompletionsClient;
import dev.eryao.repositories.HoldRepository;
import dev.eryao.repositories.LlmFactoryRepository;
import dev.eryao.repositories.LlmModelRepository;
import dev.eryao.repositories.McpServerRepository;
import dev.eryao.repositories.MessageRepository;
import dev.eryao.repositories.ParkedRunRepository;
import dev.eryao.repositories.PointsBalanceRepository;
import dev.eryao.repositories.PointsLedgerRepository;
import dev.eryao.repositories.RunRepository;
import dev.eryao.repositories.RunStepRepository;
import dev.eryao.repositories.SessionRepository;
import dev.eryao.repositories.StreamTicketRepository;
import dev.eryao.services.CatalogService;
import dev.eryao.services.EndedRuns;
import dev.eryao.services.McpServerService;
import dev.eryao.services.MessageService;
import dev.eryao.services.PointsService;
import dev.eryao.services.QueueGauges;
import dev.eryao.services.RunExecutionService;
import dev.eryao.services.RunMetrics;
import dev.eryao.services.RunService;
import dev.eryao.services.SessionService;
import dev.eryao.services.StreamTicketService;
import dev.eryao.services.tools.McpRegisteredTools;
import dev.eryao.services.tools.McpServerTools;
import dev.eryao.services.tools.RegisteredTools;
import dev.eryao.worker.Worker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.hibernate.SessionFactory;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * The composition root: the only place that builds the backend's parts — database, session
 * factory, repositories, services, the token verifier, the HTTP API and the workers — with plain
 * constructors, from one {@link Settings}. {@code serve}, {@code worker}, the tests' support and
 * the benchmarks all take their parts from here.
 *
 * <p>{@link #close()} closes what was built in reverse order: every API server (it stops accepting
 * requests), then every worker (it finishes or abandons the run it performs), then the session
 * factory and the pool, then the embedded server if this app started it. Closing twice is harmless.
 */
public final class App implements AutoCloseable {
    /** How often an event stream reads its run when no LISTEN connection can be had. */
    public static final Duration EVENTS_POLL_INTERVAL = Duration.ofSeconds(2);

    private final Settings settings;
    private final Database database;
    private final boolean ownsDatabase;
    private final SessionFactory sessionFactory;
    private final Transactions transactions;
    private final SessionService sessions;
    private final MessageService messages;
    private final RunService runs;
    private final CatalogService catalog;
    private final PointsService points;
    private final StreamTicketService streamTickets;
    private final RunRepository runRepository;
    private final MessageRepository messageRepository;
    private final LlmModelRepository llmRepository;
    private final PointsBalanceRepository balanceRepository;
    private final HoldRepository holdRepository;
    private final RunStepRepository stepRepository;
    private final PointsLedgerRepository ledgerRepository;
    /** The MCP servers' registry, the client that calls them, and their tools as runs use them. */
    private final McpToolClient mcpClient;

    private final McpServerService mcpServers;
    private final RegisteredTools registeredTools;
    /** Every part's metrics, scraped at each API's {@code /metrics}. */
    private final PrometheusMeterRegistry metrics = prometheusRegistry();

    private final RunMetrics runMetrics = new RunMetrics(metrics);
    /** Where spans go (OTLP), or nowhere: see {@link Tracing}. */
    private final Tracing tracing;
    /** What close() stops: the API servers first (no new work comes in), then the workers; newest first. */
    private final Deque<ApiServer> apis = new ArrayDeque<>();

    private final Deque<Worker> workers = new ArrayDeque<>();
    private final ParkedRunRepository parkedRepository;
    /** How the runs a statement ends are paid for: one for every service that ends runs. */
    private final EndedRuns endedRuns;

    private JwtVerifier verifier;
    private Notifications runChanges;
    private ApiServer api;
    private Worker worker;
    private boolean closed;

    private App(
            Settings settings, Database database, boolean ownsDatabase, StatementInspector inspector, Tracing tracing) {
        this.settings = settings;
        this.database = database;
        this.ownsDatabase = ownsDatabase;
        this.tracing = tracing;
        // With tracing on, each statement sent within a trace is a child span of it.
        this.sessionFactory = Persistence.sessionFactory(
                database, TracedDataSource.over(database.dataSource(), tracing), Models.ALL, inspector);
        this.transactions =
                new Transactions(sessionFactory, database.perTransactionSql().orElse(null));

        SessionRepository sessionRepository = new SessionRepository(transactions);
        this.messageRepository = new MessageRepository(transactions);
        this.runRepository = new RunRepository(transactions);
        this.llmRepository = new LlmModelRepository(transactions);
        this.balanceRepository = new PointsBalanceRepository(transactions);
        this.holdRepository = new HoldRepository(transactions);
        this.stepRepository = new RunStepRepository(transactions);
        this.ledgerRepository = new PointsLedgerRepository(transactions);
        LlmFactoryRepository factoryRepository = new LlmFactoryRepository(transactions);
        this.parkedRepository = new ParkedRunRepository(transactions);
        this.endedRuns = new EndedRuns(holdRepository, ledgerRepository, runRepository);

        this.sessions = new SessionService(transactions, sessionRepository, llmRepository, runRepository, endedRuns);
        this.messages = new MessageService(transactions, sessions, messageRepository);
        McpServerRepository mcpServerRepository = new McpServerRepository(transactions);
        this.mcpClient =
                new McpToolClient(settings.mcp().callTimeout(), settings.mcp().maxResultBytes());
        McpServerTools mcpTools = new McpServerTools(mcpClient, settings.mcp());
        this.mcpServers = new McpServerService(transactions, mcpServerRepository, mcpTools);
        this.registeredTools = new McpRegisteredTools(transactions, mcpServerRepository, mcpTools);
        this.runs = new RunService(
                transactions,
                sessionRepository,
                messageRepository,
                runRepository,
                balanceRepository,
                holdRepository,
                endedRuns,
                stepRepository,
                registeredTools,
                settings.llm().maxOutputTokens(),
                settings.runs(),
                runMetrics,
                parkedRepository);
        this.catalog = new CatalogService(transactions, factoryRepository, llmRepository);
        this.points = new PointsService(transactions, balanceRepository, ledgerRepository);
        this.streamTickets =
                new StreamTicketService(transactions, new StreamTicketRepository(transactions), Clock.systemUTC());
        database.reportPoolTo(metrics);
        QueueGauges.register(metrics, transactions, runRepository, Clock.systemUTC());
    }

    /**
     * The registry every part reports to. Two of Micrometer's system meters are left out, as
     * {@code promtool check metrics} refuses their names: {@code process_cpu_time_ns_total}
     * (nanoseconds, not the base unit; {@code process_cpu_usage} stays) and {@code system_cpu_count}
     * (a gauge named like a histogram's count).
     */
    private static PrometheusMeterRegistry prometheusRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config()
                .meterFilter(MeterFilter.deny(id ->
                        id.getName().equals("process.cpu.time") || id.getName().equals("system.cpu.count")));
        return registry;
    }

    /** Opens the database {@code settings} name (the embedded one when none is) and builds on it; closing closes it. */
    public static App open(Settings settings) {
        Database database = Database.open(settings);
        Tracing tracing = Tracing.fromEnvironment();
        try {
            return new App(settings, database, true, null, tracing);
        } catch (RuntimeException e) {
            tracing.close();
            database.close();
            throw e;
        }
    }

    /**
     * Builds on a database someone else opened and will close (the tests' shared server, a
     * benchmark's); closing the app leaves it open.
     *
     * @param inspector sees each SQL statement (tests count them), or null
     */
    public static App over(Database database, Settings settings, StatementInspector inspector) {
        return over(database, settings, inspector, Tracing.fromEnvironment());
    }

    /** As {@link #over(Database, Settings, StatementInspector)}, tracing to {@code tracing}, which closing the app closes. */
    public static App over(Database database, Settings settings, StatementInspector inspector, Tracing tracing) {
        return new App(settings, database, false, inspector, tracing);
    }

    /** Where this app's spans go (off unless an OTLP endpoint is set). */
    public Tracing tracing() {
        return tracing;
    }

    public Settings settings() {
        return settings;
    }

    public Database database() {
        return database;
    }

    public Transactions transactions() {
        return transactions;
    }

    public SessionService sessions() {
        return sessions;
    }

    public MessageService messages() {
        return messages;
    }

    /** The API's side of runs: enqueue and read. */
    public RunService runs() {
        return runs;
    }

    public CatalogService catalog() {
        return catalog;
    }

    public PointsService points() {
        return points;
    }

    /** The registry of MCP servers, for administrators. */
    public McpServerService mcpServers() {
        return mcpServers;
    }

    /** The tools of the registered MCP servers, as a run's tool loop resolves and calls them. */
    public RegisteredTools registeredTools() {
        return registeredTools;
    }

    /** The worker's side of runs with these worker settings (benchmarks drive the queue with it). */
    public RunExecutionService runExecution(WorkerSettings worker) {
        return runExecution(worker, settings.llm().maxOutputTokens());
    }

    private RunExecutionService runExecution(WorkerSettings worker, int maxOutputTokens) {
        return new RunExecutionService(
                transactions,
                runRepository,
                messageRepository,
                llmRepository,
                balanceRepository,
                holdRepository,
                ledgerRepository,
                endedRuns,
                stepRepository,
                registeredTools,
                worker,
                maxOutputTokens,
                runMetrics,
                parkedRepository,
                settings.runs().parkedExpiry());
    }

    /** The metrics of every part of this app, as each API's {@code /metrics} shows them. */
    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    /** The token verifier for {@code settings.auth()}, built once. */
    public synchronized JwtVerifier verifier() {
        if (verifier == null) {
            verifier = JwtVerifier.from(settings.auth(), Clock.systemUTC());
        }
        return verifier;
    }

    /**
     * Announcements of run changes for this process, through one LISTENing connection (built on
     * first use; event streams poll every {@link #EVENTS_POLL_INTERVAL} when nothing can LISTEN).
     * Its event streams wait on it, and its workers' fetch loops, woken by the runs that may be
     * claimed.
     */
    public synchronized Notifications runChanges() {
        if (runChanges == null) {
            runChanges = new Notifications(RunRepository.CHANNEL, database.listenDataSource(), EVENTS_POLL_INTERVAL);
            watch(runChanges);
        }
        return runChanges;
    }

    /** The HTTP API on {@code settings.server()} (not started), built once; closed by {@link #close()}. */
    public synchronized ApiServer api() {
        if (api == null) {
            api = api(settings.server(), verifier());
        }
        return api;
    }

    /** An HTTP API with its own server settings and verifier (tests); closed by {@link #close()}. */
    public synchronized ApiServer api(ServerSettings server, JwtVerifier tokens) {
        ReadinessCheck readiness =
                new ReadinessCheck(database.dataSource(), new SchemaStatus(database), this::workerThreadsDown);
        return remember(
                apis,
                new ApiServer(
                        server,
                        tokens,
                        readiness,
                        metrics,
                        sessions,
                        messages,
                        runs,
                        runChanges(),
                        points,
                        catalog,
                        mcpServers,
                        streamTickets,
                        localTokens(),
                        tracing));
    }

    /** The local secret's signer for the chat page's button, only where the auth settings allow it. */
    private Optional<TokenIssuer> localTokens() {
        AuthSettings auth = settings.auth();
        return auth.offersLocalTokens()
                ? Optional.of(new TokenIssuer(auth.jwtSecret(), auth.issuer()))
                : Optional.empty();
    }

    /** The worker with {@code settings.worker()} and {@code settings.llm()} (not started), built once; closed by {@link #close()}. */
    public synchronized Worker worker() {
        if (worker == null) {
            worker = worker(settings.worker(), settings.llm(), Clock.systemUTC());
        }
        return worker;
    }

    /**
     * A worker with its own settings and clock (tests move time); closed by {@link #close()}. The
     * lease is not checked against the LLM timeout here, as {@link dev.eryao.core.config.Settings}
     * checks it: a test's lease runs on its moved clock, the model's timeout on the real one.
     */
    public synchronized Worker worker(WorkerSettings worker, LlmSettings llm, Clock clock) {
        Worker part = remember(
                workers,
                new Worker(
                        runExecution(worker, llm.maxOutputTokens()),
                        new ChatCompletionsClient(llm),
                        registeredTools,
                        worker,
                        clock,
                        metrics,
                        tracing,
                        runChanges()));
        watch(part);
        return part;
    }

    /**
     * Shows a worker's threads in the metrics: {@code eryao.worker.threads} started and live, which
     * differ only when a thread met an error it could not go on after.
     */
    private void watch(Worker part) {
        String id = part.id();
        Gauge.builder("eryao.worker.threads", part, Worker::startedThreads)
                .description("a worker's threads: started, and live (fewer only after an error it could not go on"
                        + " after)")
                .tag("worker", id)
                .tag("state", "started")
                .register(metrics);
        Gauge.builder("eryao.worker.threads", part, Worker::liveThreads)
                .description("a worker's threads: started, and live (fewer only after an error it could not go on"
                        + " after)")
                .tag("worker", id)
                .tag("state", "live")
                .register(metrics);
    }

    /** Shows the run event streams waiting on {@code changes}, and whether its LISTEN connection is up. */
    private void watch(Notifications changes) {
        Gauge.builder("eryao.events.streams", changes, Notifications::subscriptions)
                .description("open waits for run changes in this process: one per open run event stream")
                .register(metrics);
        Gauge.builder("eryao.listen.connected", changes, part -> part.live() ? 1 : 0)
                .description("1 while this process's LISTEN connection receives run notifications; 0 while"
                        + " streams poll instead (no listen address, or the connection is lost)")
                .register(metrics);
    }

    /** Worker threads of this app's workers that have ended while their worker runs (what /readyz reports). */
    private synchronized int workerThreadsDown() {
        return workers.stream()
                .mapToInt(part -> part.startedThreads() - part.liveThreads())
                .sum();
    }

    private <T extends AutoCloseable> T remember(Deque<T> parts, T part) {
        if (closed) {
            throw new IllegalStateException("this app is closed");
        }
        parts.push(part);
        return part;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        RuntimeException failure = null;
        for (ApiServer part : apis) {
            failure = closeQuietly(part, failure);
        }
        for (Worker part : workers) {
            failure = closeQuietly(part, failure);
        }
        Notifications changes;
        synchronized (this) {
            changes = runChanges;
        }
        if (changes != null) {
            failure = closeQuietly(changes, failure);
        }
        failure = closeQuietly(mcpClient, failure);
        // After every part that makes spans, so that their last spans are sent.
        failure = closeQuietly(tracing, failure);
        failure = closeQuietly(sessionFactory::close, failure);
        failure = closeQuietly(metrics::close, failure);
        if (ownsDatabase) {
            failure = closeQuietly(database::close, failure);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes {@code part}; a failure is kept (the first one wins) so the rest still close. */
    private static RuntimeException closeQuietly(AutoCloseable part, RuntimeException earlier) {
        try {
            part.close();
            return earlier;
        } catch (Exception e) {
            RuntimeException failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            if (earlier != null) {
                earlier.addSuppressed(failure);
                return earlier;
            }
            return failure;
        }
    }
}
