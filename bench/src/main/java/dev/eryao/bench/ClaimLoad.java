package dev.eryao.bench;

import dev.eryao.App;
import dev.eryao.core.config.Settings;
import dev.eryao.core.db.Database;
import dev.eryao.provider.Completion;
import dev.eryao.services.RunExecutionService;
import dev.eryao.services.RunContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker's hot path with no-op runs: claim (SKIP LOCKED, under a lease, with the context a run
 * needs) and complete (output, usage, assistant message, a debit of 0 points) through
 * {@link RunExecutionService}, from many clients in this JVM, with no model to wait for.
 * {@code ClaimLoad seed <runs> <owners>} queues runs on the fixture's sessions (a free model);
 * {@code ClaimLoad run <clients> <seconds> <runs> <owners>} seeds, then prints {@code rate=<runs/s>}.
 */
public final class ClaimLoad {
    static final String FACTORY_ID = "d0000000-0000-4000-8000-000000000001";
    static final String MODEL_ID = "e0000000-0000-4000-8000-000000000001";
    // The JIT needs tens of seconds on two cores to reach steady state; bench/run passes its warm-up.
    private static final int WARMUP_SECONDS = Integer.getInteger("bench.warmupSeconds", 20);

    private ClaimLoad() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.load();
        try (App app = App.open(settings)) {
            boolean seedOnly = args[0].equals("seed");
            seed(app.database(), Integer.parseInt(args[seedOnly ? 1 : 3]), Integer.parseInt(args[seedOnly ? 2 : 4]));
            if (args[0].equals("run")) {
                run(app.runExecution(settings.worker()), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            }
        }
    }

    /** Queues {@code runs} runs spread over the fixture's sessions, on a model that costs nothing. */
    private static void seed(Database database, int runs, int owners) throws Exception {
        try (Connection connection = database.dataSource().getConnection(); Statement sql = connection.createStatement()) {
            // Runs queued by the enqueue benchmark have no model: out of the way, so only no-op runs are measured.
            sql.execute("UPDATE agent_run SET status = 'cancelled', finished_at = now() WHERE status = 'queued'");
            sql.execute("INSERT INTO llm_factory (id, name) VALUES ('" + FACTORY_ID + "', 'bench') ON CONFLICT DO NOTHING");
            sql.execute("INSERT INTO llms (id, factory_id, model_code, display_name, request_url, input_price_per_1k,"
                    + " output_price_per_1k) VALUES ('" + MODEL_ID + "', '" + FACTORY_ID + "', 'noop', 'No-op',"
                    + " 'http://127.0.0.1:9/v1/chat/completions', 0, 0) ON CONFLICT DO NOTHING");
            // Each run with its question, as enqueue writes them (the question first, the run naming it),
            // in the order enqueue would: a session's runs are claimed one at a time, in that order.
            try (PreparedStatement insert = connection.prepareStatement("""
                    WITH question AS (
                        INSERT INTO agent_chat_message (session_id, owner_id, role, content, created_at)
                        SELECT s.id, s.owner_id, 'user', 'bench run', now() - interval '1 hour' + g * interval '1 microsecond'
                        FROM generate_series(1, ?) g
                        JOIN LATERAL (SELECT id, owner_id FROM agent_chat_session
                                      WHERE id = ('%s' || lpad((1 + g %% ?)::text, 12, '0'))::uuid) s ON true
                        RETURNING id, session_id, owner_id, created_at)
                    INSERT INTO agent_run (session_id, owner_id, llm_id, input, scheduled_at, question_id, created_at,
                                           turn_at)
                    SELECT session_id, owner_id, ?::uuid, 'bench run', now() - interval '1 second', id, created_at,
                           created_at
                    FROM question"""
                    .formatted(BenchIds.SESSION_PREFIX))) {
                insert.setInt(1, runs);
                insert.setInt(2, owners);
                insert.setString(3, MODEL_ID);
                insert.executeUpdate();
            }
            connection.commit();
        }
    }

    private static void run(RunExecutionService runs, int clients, int seconds) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + (WARMUP_SECONDS + seconds) * 1_000_000_000L;
        Completion noop = new Completion("ok", 0, 0);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            String worker = "bench-" + c;
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    Optional<RunContext> run = runs.claimNext(worker, Instant.now());
                    if (run.isEmpty()) {
                        return;
                    }
                    runs.succeed(run.get(), worker, noop, Instant.now());
                    done.incrementAndGet();
                }
            }));
        }
        Thread.sleep(WARMUP_SECONDS * 1000L);
        long before = done.get();
        Thread.sleep(seconds * 1000L);
        long after = done.get();
        for (Thread thread : threads) {
            thread.join();
        }
        System.out.printf("rate=%.1f%n", (after - before) / (double) seconds);
    }
}
