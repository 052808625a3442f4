package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.App;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.auth.TokenIssuer;
import dev.eryao.core.config.LlmSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.core.config.WorkerSettings;
import dev.eryao.core.db.Database;
import dev.eryao.services.ModelDraft;
import dev.eryao.services.PointsAccountView;
import dev.eryao.services.PointsService;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunPrice;
import dev.eryao.services.RunService;
import dev.eryao.services.RunView;
import dev.eryao.services.SessionView;
import dev.eryao.services.StepView;
import dev.eryao.support.FakeLlmServer;
import dev.eryao.support.TestDatabase;
import dev.eryao.support.TestKeys;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A database of its own (so no other test's runs sit in its queue), the application over it, a
 * fake model on loopback in the catalog, and helpers to make owners, sessions and runs. Time is a
 * {@link TestClock} the test moves, so backoff and lease expiry need no waiting.
 */
final class RunFixture implements AutoCloseable {
    static final String API_KEY = "test-key";
    /** 1.5 points per 1,000 input tokens, 2.25 per 1,000 output tokens. */
    static final BigDecimal INPUT_PRICE = new BigDecimal("1.5");

    static final BigDecimal OUTPUT_PRICE = new BigDecimal("2.25");
    /** The fake model's window: room for the prompt counts its default answer reports. */
    static final int CONTEXT_TOKENS = 128_000;

    /** What a run on the fake model is priced and held, as the app prices it by default. */
    static final RunPrice PRICE =
            new RunPrice(INPUT_PRICE, OUTPUT_PRICE, CONTEXT_TOKENS, LlmSettings.DEFAULT_MAX_OUTPUT_TOKENS);

    static final int LEASE_SECONDS = 30;
    static final int BACKOFF_MS = 1_000;

    final Database database;
    final App app;
    final FakeLlmServer llm = new FakeLlmServer();
    final TestClock clock = new TestClock();
    final UUID modelId;
    final String factoryName;

    RunFixture() {
        this(dev.eryao.core.tracing.Tracing.off());
    }

    /** With the app's spans going to {@code tracing} (closed with the app). */
    RunFixture(dev.eryao.core.tracing.Tracing tracing) {
        this(tracing, null);
    }

    /** With every SQL statement the app sends seen by {@code inspector} (tests count them). */
    RunFixture(org.hibernate.resource.jdbc.spi.StatementInspector inspector) {
        this(dev.eryao.core.tracing.Tracing.off(), inspector);
    }

    private RunFixture(
            dev.eryao.core.tracing.Tracing tracing, org.hibernate.resource.jdbc.spi.StatementInspector inspector) {
        database = TestDatabase.get().freshMigratedDatabase();
        app = App.over(database, TestDatabase.get().settings(), inspector, tracing);
        factoryName = "fake-" + UUID.randomUUID().toString().substring(0, 8);
        UUID factoryId = app.catalog().createFactory(factoryName).id();
        modelId = app.catalog()
                .createModel(new ModelDraft(
                        factoryId,
                        "fake-model",
                        "Fake model",
                        llm.url(),
                        INPUT_PRICE,
                        OUTPUT_PRICE,
                        CONTEXT_TOKENS,
                        true))
                .id();
    }

    WorkerSettings settings(int concurrency, int maxAttempts) {
        return new WorkerSettings(
                concurrency,
                Duration.ofSeconds(LEASE_SECONDS),
                Duration.ofMillis(20),
                maxAttempts,
                Duration.ofMillis(BACKOFF_MS));
    }

    Worker worker(int concurrency, int maxAttempts) {
        return app.worker(settings(concurrency, maxAttempts), llmSettings(), clock);
    }

    /** How workers call the fake model: with its key. */
    LlmSettings llmSettings() {
        return new LlmSettings(
                Duration.ofSeconds(30),
                LlmSettings.DEFAULT_MAX_OUTPUT_TOKENS,
                java.util.Map.of(LlmSettings.variablePart(factoryName), Secret.of(API_KEY)));
    }

    /** A new owner with {@code points} and a session on the fake model. */
    Owner owner(long points) {
        CurrentUser user = new CurrentUser(UUID.randomUUID(), CurrentUser.AUTHENTICATED);
        if (points > 0) {
            app.points().grant(new PointsService.Change(user.id(), points, "test grant", null, null, null));
        }
        SessionView session = app.sessions().create(user, "chat", modelId);
        return new Owner(user, session.id());
    }

    record Owner(CurrentUser user, UUID sessionId) {}

    /** {@code count} new sessions of the owner's ("chat 0", "chat 1", …): runs of different sessions run together. */
    List<UUID> sessions(Owner owner, int count) {
        List<UUID> sessions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sessions.add(
                    app.sessions().create(owner.user(), "chat " + i, modelId).id());
        }
        return sessions;
    }

    /**
     * Variables for {@code serve} and {@code worker} processes over this fixture's database, with
     * the fake model's key and workers of {@code concurrency} polling every {@code pollMs}.
     */
    java.util.Map<String, String> processVariables(int concurrency, int pollMs) {
        java.util.Map<String, String> variables =
                new java.util.HashMap<>(dev.eryao.support.ServeProcess.variables(database.settings()));
        variables.put("ERYAO_WORKER__CONCURRENCY", String.valueOf(concurrency));
        variables.put("ERYAO_WORKER__POLL_INTERVAL_MS", String.valueOf(pollMs));
        variables.put("ERYAO_LLM__" + LlmSettings.variablePart(factoryName) + "__API_KEY", API_KEY);
        return variables;
    }

    /** The owner's token as {@code serve} processes over this fixture's database take it, valid for an hour. */
    static String processToken(Owner owner) {
        return new TokenIssuer(Secret.of(TestKeys.HS256_SECRET), null)
                .sign(owner.user().id(), "authenticated", Duration.ofHours(1), Instant.now());
    }

    /** Starts these commands ({@code serve}, {@code worker}) as processes at once; all are up on return. */
    static List<dev.eryao.support.ServeProcess> startProcesses(
            java.util.Map<String, String> variables, String... commands) throws Exception {
        List<dev.eryao.support.ServeProcess> started = new ArrayList<>();
        try (var starting = java.util.concurrent.Executors.newFixedThreadPool(commands.length)) {
            List<java.util.concurrent.Future<dev.eryao.support.ServeProcess>> futures = new ArrayList<>();
            for (String command : commands) {
                futures.add(starting.submit(() -> dev.eryao.support.ServeProcess.start(command, variables)));
            }
            RuntimeException failed = null;
            for (var future : futures) {
                try {
                    started.add(future.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    failed = failed != null
                            ? failed
                            : new IllegalStateException(e.getCause().getMessage(), e.getCause());
                }
            }
            if (failed != null) {
                // Those that did start must not outlive the test.
                started.forEach(dev.eryao.support.ServeProcess::close);
                throw failed;
            }
        }
        return started;
    }

    /** A run on the owner's session: runs of one session are performed one at a time, in order. */
    RunAccepted enqueue(Owner owner, String input) {
        return app.runs().enqueue(owner.user(), owner.sessionId(), input, null, null);
    }

    /** A run on a new session of the owner's: runs of different sessions may be performed together. */
    RunAccepted enqueueInNewSession(Owner owner, String input) {
        SessionView session = app.sessions().create(owner.user(), "chat", modelId);
        return app.runs().enqueue(owner.user(), session.id(), input, null, null);
    }

    /** A run asked for with its options ({@code tools}, limits, client tools) on the owner's session. */
    RunAccepted enqueue(Owner owner, RunService.NewRun run) {
        return app.runs().enqueue(owner.user(), owner.sessionId(), run, null);
    }

    /** The run as its owner sees it. */
    RunView run(Owner owner, RunAccepted task) {
        return app.runs().get(owner.user(), task.taskId());
    }

    List<StepView> steps(Owner owner, RunAccepted task) {
        return app.runs().steps(owner.user(), task.taskId());
    }

    PointsAccountView account(Owner owner) {
        return app.points().account(owner.user().id());
    }

    /** A pass of a one-slot worker (three attempts a run) over the due runs: how many it performed. */
    int performDue() {
        try (Worker worker = worker(1, 3)) {
            return worker.performDue();
        }
    }

    /** Waits until {@code runs} runs have finished (succeeded or failed); fails the test after {@code limit}. */
    void awaitFinished(long runs, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (count("SELECT count(*) FROM agent_run WHERE status IN ('succeeded', 'failed')") < runs) {
            assertThat(System.nanoTime())
                    .as("all %d runs finish within %s", runs, limit)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Waits until {@code runs} runs have ended (succeeded, failed or cancelled); fails the test after {@code limit}. */
    void awaitEnded(long runs, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (count("SELECT count(*) FROM agent_run WHERE status IN ('succeeded', 'failed', 'cancelled')") < runs) {
            assertThat(System.nanoTime())
                    .as("all %d runs end within %s", runs, limit)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** The owner's books are closed: the ledger sums to {@code balance} and no hold is left open. */
    void assertBooksClosed(Owner owner, long balance) throws SQLException {
        assertThat(count(
                        "SELECT coalesce(sum(amount), 0) FROM points_ledger WHERE owner_id = ?",
                        owner.user().id()))
                .as("the ledger sums to the balance")
                .isEqualTo(balance);
        assertThat(count(
                        "SELECT held FROM points_balance WHERE owner_id = ?",
                        owner.user().id()))
                .as("no hold left open")
                .isZero();
    }

    /** Runs one statement, committed. */
    void execute(String sql, Object... parameters) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.executeUpdate();
            connection.commit();
        }
    }

    long count(String sql, Object... parameters) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement query = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            try (ResultSet row = query.executeQuery()) {
                row.next();
                long value = row.getLong(1);
                connection.rollback();
                return value;
            }
        }
    }

    List<String> strings(String sql, Object... parameters) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement query = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            connection.rollback();
        }
        return values;
    }

    @Override
    public void close() {
        llm.close();
        app.close();
        database.close();
    }

    /** Real time plus whatever the test moved it forward by, so runs enqueued just now are due. */
    static final class TestClock extends Clock {
        private volatile Duration ahead = Duration.ZERO;

        void advance(Duration by) {
            ahead = ahead.plus(by);
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(ahead);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
