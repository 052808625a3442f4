package dev.eryao;

import dev.eryao.api.ApiServer;
import dev.eryao.core.auth.JwtVerifier;
import dev.eryao.core.config.LlmSettings;
import dev.eryao.core.config.ServerSettings;
import dev.eryao.core.config.WorkerSettings;
import dev.eryao.core.db.Database;
import dev.eryao.core.db.Persistence;
import dev.eryao.core.db.Transactions;
import dev.eryao.llm.ChatCompletionsClient;
import dev.eryao.models.Models;
import dev.eryao.repositories.AgentMessageRepository;
import dev.eryao.repositories.AgentRepository;
import dev.eryao.repositories.AgentRunQueue;
import dev.eryao.repositories.AgentRunRepository;
import dev.eryao.repositories.LlmFactoryRepository;
import dev.eryao.repositories.LlmRepository;
import dev.eryao.repositories.PointsBalanceRepository;
import dev.eryao.repositories.PointsLedgerRepository;
import dev.eryao.services.AgentRunService;
import dev.eryao.services.AgentService;
import dev.eryao.services.LlmCatalogService;
import dev.eryao.services.PointsService;
import dev.eryao.worker.Worker;
import java.time.Clock;
import org.hibernate.SessionFactory;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * The composition root: database → session factory → repositories → services → API and worker,
 * built with plain constructors in one place, and closed in reverse order. Nothing else
 * constructs these.
 */
public final class App implements AutoCloseable {
    private final Database database;
    private final SessionFactory sessionFactory;
    private final Transactions transactions;
    private final AgentService agentService;
    private final PointsService pointsService;
    private final LlmCatalogService catalogService;
    private final AgentRunQueue runQueue;
    private final AgentMessageRepository messages;
    private final LlmFactoryRepository factories;
    private final LlmRepository llms;
    private final PointsBalanceRepository balances;
    private final PointsLedgerRepository ledger;

    private final int maxOutputTokens;

    /** An app with the default output cap ({@link LlmSettings#DEFAULT_MAX_OUTPUT_TOKENS}). */
    public App(Database database, StatementInspector inspector) {
        this(database, LlmSettings.DEFAULT_MAX_OUTPUT_TOKENS, inspector);
    }

    /**
     * @param maxOutputTokens the output cap sent to models, which bounds what enqueue holds
     * @param inspector       sees each SQL statement (tests count them), or null
     */
    public App(Database database, int maxOutputTokens, StatementInspector inspector) {
        this.database = database;
        this.maxOutputTokens = maxOutputTokens;
        this.sessionFactory = Persistence.sessionFactory(database, Models.ALL, inspector);
        this.transactions = new Transactions(sessionFactory, database.perTransactionSql().orElse(null));

        AgentRepository sessions = new AgentRepository(transactions);
        AgentRunRepository runs = new AgentRunRepository(transactions);
        this.messages = new AgentMessageRepository(transactions);
        this.runQueue = new AgentRunQueue(transactions);
        this.factories = new LlmFactoryRepository(transactions);
        this.llms = new LlmRepository(transactions);
        this.balances = new PointsBalanceRepository(transactions);
        this.ledger = new PointsLedgerRepository(transactions);

        this.agentService = new AgentService(transactions, sessions, messages, runs, llms, balances, maxOutputTokens);
        this.pointsService = new PointsService(transactions, balances, ledger);
        this.catalogService = new LlmCatalogService(transactions, factories, llms);
    }

    public Transactions transactions() {
        return transactions;
    }

    public AgentService agentService() {
        return agentService;
    }

    public PointsService pointsService() {
        return pointsService;
    }

    public LlmCatalogService catalogService() {
        return catalogService;
    }

    /** A worker for queued agent runs (not started); the caller closes it before this app. */
    public Worker worker(WorkerSettings worker, LlmSettings llm, Clock clock) {
        return new Worker(runService(worker, llm.maxOutputTokens()), new ChatCompletionsClient(llm), worker, clock);
    }

    /** The worker's side of agent runs on its own, for tools that drive the queue (benchmarks). */
    public AgentRunService runService(WorkerSettings worker) {
        return runService(worker, maxOutputTokens);
    }

    private AgentRunService runService(WorkerSettings worker, int outputCap) {
        return new AgentRunService(transactions, runQueue, messages, llms, balances, ledger, worker, outputCap);
    }

    /** The HTTP API over these services (not started); the caller closes it before this app. */
    public ApiServer api(ServerSettings server, JwtVerifier verifier) {
        return new ApiServer(server, verifier, database, agentService, pointsService, catalogService);
    }

    @Override
    public void close() {
        sessionFactory.close();
    }
}
