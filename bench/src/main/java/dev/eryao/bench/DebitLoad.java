package dev.eryao.bench;

import dev.eryao.App;
import dev.eryao.core.config.Settings;
import dev.eryao.core.db.Database;
import dev.eryao.services.InsufficientPointsException;
import dev.eryao.services.PointsService;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Points debits through {@link PointsService#debit} from many clients at once, in this JVM:
 * {@code DebitLoad hot|many <clients> <seconds> <owners> [rounds]} prints {@code rate=<debits/s>} for
 * each round of measured seconds, after a warm-up (see {@link #load}). {@code DebitLoad check
 * <clients>} races clients to overdraw one small balance, then checks every balance against its
 * ledger and prints {@code overdrafts=}, {@code mismatched=}.
 */
public final class DebitLoad {
    // The JIT needs tens of seconds on two cores to reach steady state; bench/run passes its warm-up.
    private static final int WARMUP_SECONDS = Integer.getInteger("bench.warmupSeconds", 20);
    private static final long CHECK_BALANCE = 100;
    private static final int CHECK_ATTEMPTS_PER_CLIENT = 10;

    private DebitLoad() {
    }

    public static void main(String[] args) throws Exception {
        try (App app = App.open(Settings.load())) {
            Database database = app.database();
            if (args[0].equals("check")) {
                check(app.points(), database, Integer.parseInt(args[1]));
            } else {
                load(app.points(), args[0].equals("hot"), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                        Integer.parseInt(args[3]), args.length > 4 ? Integer.parseInt(args[4]) : 1);
            }
        }
    }

    /**
     * Warms up, then measures {@code rounds} times and prints each round's rate. Between rounds it
     * waits for a line on standard input: bench/run measures pgbench meanwhile, with this JVM idle
     * and still warm, and so pairs each round with its reference.
     */
    private static void load(PointsService points, boolean hot, int clients, int seconds, int owners, int rounds)
            throws Exception {
        BufferedReader go = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        debitFor(points, hot, clients, WARMUP_SECONDS, owners);
        for (int round = 1; round <= rounds; round++) {
            long before = System.nanoTime();
            long[] counts = debitFor(points, hot, clients, seconds, owners);
            double elapsed = (System.nanoTime() - before) / 1e9;
            System.out.printf("rate=%.1f refused=%d%n", counts[0] / elapsed, counts[1]);
            System.out.flush();
            if (round < rounds && go.readLine() == null) {
                return;
            }
        }
    }

    /** Debits from {@code clients} threads for {@code seconds}; returns {debits done, debits refused}. */
    private static long[] debitFor(PointsService points, boolean hot, int clients, int seconds, int owners)
            throws InterruptedException {
        AtomicLong done = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    UUID owner = BenchIds.owner(hot ? 1 : 1 + ThreadLocalRandom.current().nextInt(owners));
                    try {
                        points.debit(new PointsService.Change(owner, 1, "bench debit", "bench", null, null));
                        done.incrementAndGet();
                    } catch (InsufficientPointsException e) {
                        refused.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return new long[] {done.get(), refused.get()};
    }

    private static void check(PointsService points, Database database, int clients) throws Exception {
        UUID owner = UUID.randomUUID();
        points.grant(new PointsService.Change(owner, CHECK_BALANCE, "overdraft check", "bench", null, null));
        AtomicLong accepted = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < CHECK_ATTEMPTS_PER_CLIENT; i++) {
                    try {
                        points.debit(new PointsService.Change(owner, 1, "overdraft check", "bench", null, null));
                        accepted.incrementAndGet();
                    } catch (InsufficientPointsException expected) {
                        // the balance is spent: exactly what this check provokes
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        try (Connection connection = database.dataSource().getConnection(); Statement sql = connection.createStatement()) {
            long negative = single(sql, "SELECT count(*) FROM points_balance WHERE balance < 0");
            long mismatched = single(sql, "SELECT count(*) FROM points_balance b WHERE b.balance <> "
                    + "(SELECT coalesce(sum(l.amount), 0) FROM points_ledger l WHERE l.owner_id = b.owner_id)");
            long owners = single(sql, "SELECT count(*) FROM points_balance");
            long left = single(sql, "SELECT balance FROM points_balance WHERE owner_id = '" + owner + "'");
            connection.commit();
            System.out.printf("attempts=%d accepted=%d balance=%d left=%d overdrafts=%d mismatched=%d owners=%d%n",
                    clients * CHECK_ATTEMPTS_PER_CLIENT, accepted.get(), CHECK_BALANCE, left,
                    negative + (accepted.get() > CHECK_BALANCE ? 1 : 0), mismatched, owners);
        }
    }

    private static long single(Statement sql, String query) throws Exception {
        try (ResultSet rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
