package dev.eryao;

import dev.eryao.core.db.Database;
import dev.eryao.core.db.Persistence;
import dev.eryao.core.db.Transactions;
import dev.eryao.models.Models;
import dev.eryao.repositories.AgentRepository;
import dev.eryao.repositories.LlmRepository;
import dev.eryao.repositories.PointsBalanceRepository;
import dev.eryao.repositories.PointsLedgerRepository;
import dev.eryao.services.AgentService;
import dev.eryao.services.PointsService;
import org.hibernate.SessionFactory;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * The composition root: database → session factory → repositories → services, built with plain
 * constructors in one place, and closed in reverse order. Nothing else constructs these.
 */
public final class App implements AutoCloseable {
    private final SessionFactory sessionFactory;
    private final Transactions transactions;
    private final AgentService agentService;
    private final PointsService pointsService;

    /** @param inspector sees each SQL statement (tests count them), or null */
    public App(Database database, StatementInspector inspector) {
        this.sessionFactory = Persistence.sessionFactory(database, Models.ALL, inspector);
        this.transactions = new Transactions(sessionFactory);

        AgentRepository sessions = new AgentRepository(transactions);
        LlmRepository llms = new LlmRepository(transactions);
        PointsBalanceRepository balances = new PointsBalanceRepository(transactions);
        PointsLedgerRepository ledger = new PointsLedgerRepository(transactions);

        this.agentService = new AgentService(transactions, sessions, llms);
        this.pointsService = new PointsService(transactions, balances, ledger);
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

    @Override
    public void close() {
        sessionFactory.close();
    }
}
