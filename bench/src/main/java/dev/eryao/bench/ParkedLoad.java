package dev.eryao.bench;

import static dev.eryao.bench.Pause.sleep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.config.Settings;
import dev.eryao.repositories.RunRepository;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a parked run costs the database while it waits, for {@code bench/parked}. The server is a
 * separate {@code serve} process with its workers on 127.0.0.1, the model the {@code eryao stand-in}
 * process (the seeded {@code local/llama3.2} pointed at it); the owners are the benchmark fixture's
 * (1..n, {@link Fixtures}), with tokens signed by ERYAO_AUTH__JWT_SECRET. The database's counters
 * are read from a database of their own ({@value #PROBE_DB}), so the reads never count in the
 * application's database's {@code pg_stat_database} row, and its statements are left out of
 * {@code pg_stat_statements}' figures by their database.
 *
 * <ul>
 *   <li>{@code vacuum}: VACUUM ANALYZE of the application's database (autovacuum is off).</li>
 *   <li>{@code prepare}: creates {@value #PROBE_DB} and {@code pg_stat_statements} in it (the
 *       library must be in {@code shared_preload_libraries}).</li>
 *   <li>{@code window <label> <seconds> <step s> <postmaster pid> <serve pid> <out>}: resets
 *       {@code pg_stat_statements}, then reads the application database's {@code pg_stat_database}
 *       row and the CPU time of PostgreSQL (postmaster, live children, ended children) and of the
 *       serve JVM every {@code step} seconds for {@code seconds}; then the statements of the
 *       application's database. Rates per second over the window (and the lowest and highest
 *       step's) go to the terminal and to {@code out}.</li>
 *   <li>{@code compare <window file> <window file> <parked>}: the two windows side by side, the
 *       difference per second and per parked run.</li>
 *   <li>{@code park <port> <n> <clients>}: owner i (1..n) enqueues one run declaring the client tool
 *       {@code get_location}, its input asking the stand-in model to call it; waits until all n are
 *       {@code requires_action}.</li>
 *   <li>{@code resume <port> <sample> <csv> <clients>}: for {@code sample} of the parked runs, one at a time,
 *       POSTs the call's output ({@code …/tool-outputs}) and waits for the run's end; the time from
 *       just before the POST to the run's recorded {@code finished_at} (the worker's clock: the
 *       same machine's), with the POST's own answer time and the wait until a worker started the
 *       resumed model step, and the resumed model step's own recorded time (the stand-in writes its
 *       answer a word every 40 ms). Then the other parked runs are resumed, {@code clients} at a
 *       time (not timed), so that a last window sees the same rows with none parked.</li>
 *   <li>{@code explain}: the expiry sweep's statement as {@code ParkedRunRepository} sends it, under
 *       {@code EXPLAIN (ANALYZE, BUFFERS)} in a transaction rolled back; and {@code sweep.sql} for
 *       pgbench ({@code explain <dir> <expiry s>}); then the workers' claim and the rescuer's lease
 *       pass, read from {@code RunRepository}, under their generic plans.</li>
 * </ul>
 */
public final class ParkedLoad {
    static final String PROBE_DB = "bench_probe";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INPUT = "call get_location {}";
    private static final String[] COUNTERS = {
        "xact_commit", "xact_rollback", "tup_returned", "tup_fetched", "tup_inserted", "tup_updated",
        "tup_deleted", "blks_hit", "blks_read"
    };
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux x86-64

    // ParkedRunRepository.EXPIRE with its parameters written in: the cutoff the default expiry gives.
    static final String SWEEP = """
            WITH expired AS (
                UPDATE agent_run r
                SET status = 'expired', stop_reason = 'expired', finished_at = now(), parked_at = NULL,
                    error = 'bench', updated_at = now()
                WHERE status IN ('requires_approval', 'requires_action') AND parked_at < now() - interval '%d seconds'
                  AND deleted_at IS NULL
                RETURNING r.id, r.owner_id, r.held_points, r.status, r.session_id,
                    (SELECT coalesce(sum(st.points_charged), 0) FROM agent_run_step st WHERE st.run_id = r.id) AS owed)
            SELECT id, owner_id, held_points, status, owed FROM expired
            WHERE pg_notify('eryao_run', expired.id || ' ' || expired.session_id) IS NOT NULL""";

    private ParkedLoad() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "prepare" -> prepare();
            case "window" -> window(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Long.parseLong(args[4]), Long.parseLong(args[5]), Path.of(args[6]));
            case "compare" -> compare(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]));
            case "park" -> park(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "resume" -> resume(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Path.of(args[3]),
                    Integer.parseInt(args[4]));
            case "explain" -> explain(Path.of(args[1]), Integer.parseInt(args[2]));
            case "vacuum" -> vacuum();
            default -> throw new IllegalArgumentException(
                    "unknown mode " + args[0] + " (prepare, vacuum, window, compare, park, resume or explain)");
        }
        System.exit(0);
    }

    // ---- the database's activity --------------------------------------------------------------

    private static void prepare() throws SQLException {
        try (Connection db = BenchDb.connect(); Statement sql = db.createStatement()) {
            sql.execute("CREATE DATABASE " + PROBE_DB);
        }
        try (Connection db = BenchDb.connect(PROBE_DB); Statement sql = db.createStatement()) {
            sql.execute("CREATE EXTENSION pg_stat_statements");
        }
    }

    /** VACUUM ANALYZE of the application's database, as autovacuum (off in the bench) would do in time. */
    private static void vacuum() throws SQLException {
        try (Connection db = BenchDb.connect(); Statement sql = db.createStatement()) {
            sql.execute("VACUUM (VERBOSE, ANALYZE) agent_run");
            // What VACUUM says of agent_run: the dead tuples it could not remove yet, and its indexes' pages.
            for (java.sql.SQLWarning w = sql.getWarnings(); w != null; w = w.getNextWarning()) {
                for (String line : w.getMessage().split("\n")) {
                    if (line.contains("not yet removable") || line.contains("ix_agent_run_turn_at_id")
                            || line.contains("ix_agent_run_parked_at")) {
                        System.out.println("  vacuum: " + line.strip());
                    }
                }
            }
            sql.execute("VACUUM ANALYZE");
        }
    }

    /** One reading: the application database's counters and the two processes' CPU ticks. */
    record Reading(long nanos, long[] counters, long pgTicks, long serveTicks) {}

    private static Reading read(Connection probe, String database, long postmaster, long serve) throws Exception {
        long[] values = new long[COUNTERS.length];
        try (PreparedStatement row = probe.prepareStatement(
                "SELECT " + String.join(", ", COUNTERS) + " FROM pg_stat_database WHERE datname = ?")) {
            row.setString(1, database);
            try (ResultSet r = row.executeQuery()) {
                r.next();
                for (int i = 0; i < values.length; i++) {
                    values[i] = r.getLong(i + 1);
                }
            }
        }
        return new Reading(System.nanoTime(), values, postgresTicks(postmaster), ticks(serve, false));
    }

    private static void window(String label, int seconds, int step, long postmaster, long serve, Path out)
            throws Exception {
        String database = Settings.load().database().name();
        List<Reading> readings = new ArrayList<>();
        try (Connection probe = BenchDb.connect(PROBE_DB); Statement sql = probe.createStatement()) {
            sql.execute("SELECT pg_stat_statements_reset()");
            readings.add(read(probe, database, postmaster, serve));
            long start = readings.get(0).nanos();
            for (int s = step; s <= seconds; s += step) {
                sleep((start + Duration.ofSeconds(s).toNanos() - System.nanoTime()) / 1_000_000);
                readings.add(read(probe, database, postmaster, serve));
            }
            Map<String, String> result = new LinkedHashMap<>();
            Reading first = readings.get(0);
            Reading last = readings.get(readings.size() - 1);
            double span = (last.nanos() - first.nanos()) / 1e9;
            result.put("label", label);
            result.put("seconds", fmt(span));
            System.out.printf(Locale.ROOT, "%n%s: %.1f s, %d readings %d s apart (per second: whole window, and the"
                    + " lowest and highest %d s step)%n", label, span, readings.size(), step, step);
            for (int i = 0; i <= COUNTERS.length + 2; i++) {
                String name = i < COUNTERS.length ? COUNTERS[i]
                        : i == COUNTERS.length ? "blks_hit+blks_read"
                        : i == COUNTERS.length + 1 ? "postgres_cpu_ms" : "serve_cpu_ms";
                int index = i;
                double whole = value(first, last, index) / span;
                double low = Double.MAX_VALUE;
                double high = -Double.MAX_VALUE;
                for (int k = 1; k < readings.size(); k++) {
                    double rate = value(readings.get(k - 1), readings.get(k), index)
                            / ((readings.get(k).nanos() - readings.get(k - 1).nanos()) / 1e9);
                    low = Math.min(low, rate);
                    high = Math.max(high, rate);
                }
                result.put(name, fmt(whole) + " " + fmt(low) + " " + fmt(high));
                System.out.printf(Locale.ROOT, "  %-20s %12.2f /s   (steps %.2f .. %.2f)%n", name, whole, low, high);
            }
            // The statements of the application's database over the window, most called first.
            int n = 0;
            try (PreparedStatement statements = probe.prepareStatement("""
                    SELECT s.queryid, s.calls, s.rows, s.shared_blks_hit + s.shared_blks_read AS blks,
                           s.total_exec_time, regexp_replace(s.query, '\\s+', ' ', 'g') AS query
                    FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                    WHERE d.datname = ? ORDER BY s.calls DESC, s.total_exec_time DESC""")) {
                statements.setString(1, database);
                try (ResultSet r = statements.executeQuery()) {
                    System.out.printf(Locale.ROOT, "  pg_stat_statements, %s: %10s %10s %10s %10s  statement%n",
                            database, "calls/s", "rows/call", "blks/call", "us/call");
                    while (r.next()) {
                        long calls = r.getLong(2);
                        String query = r.getString(6);
                        result.put("stmt." + r.getLong(1), calls + " " + r.getLong(3) + " " + r.getLong(4) + " "
                                + fmt(r.getDouble(5)) + " " + query.replace('\n', ' '));
                        if (n++ < 15) {
                            System.out.printf(Locale.ROOT, "    %10.3f %10.2f %10.2f %10.1f  %s%n", calls / span,
                                    (double) r.getLong(3) / calls, (double) r.getLong(4) / calls,
                                    r.getDouble(5) * 1000 / calls, abbreviate(query, 110));
                        }
                    }
                }
            }
            try (PrintWriter file = new PrintWriter(Files.newBufferedWriter(out))) {
                result.forEach((key, value) -> file.println(key + "\t" + value));
            }
        }
    }

    /** Reading b minus reading a of counter i (the last three: blocks, PostgreSQL's CPU ms, serve's CPU ms). */
    private static double value(Reading a, Reading b, int i) {
        if (i < COUNTERS.length) {
            return b.counters()[i] - a.counters()[i];
        }
        if (i == COUNTERS.length) {
            return b.counters()[7] + b.counters()[8] - a.counters()[7] - a.counters()[8];
        }
        long ticks = i == COUNTERS.length + 1 ? b.pgTicks() - a.pgTicks() : b.serveTicks() - a.serveTicks();
        return ticks * 1000.0 / TICKS_PER_SECOND;
    }

    private static void compare(Path a, Path b, int parked) throws IOException {
        Map<String, String> before = load(a);
        Map<String, String> after = load(b);
        System.out.printf(Locale.ROOT, "%n%s vs %s, per second (the steps' range in brackets):%n", before.get("label"),
                after.get("label"));
        System.out.printf(Locale.ROOT, "  %-20s %24s %24s %12s %14s%n", "", before.get("label"), after.get("label"),
                "difference", "per parked run");
        for (Map.Entry<String, String> entry : before.entrySet()) {
            String key = entry.getKey();
            if (key.equals("label") || key.equals("seconds") || key.startsWith("stmt.")) {
                continue;
            }
            String[] x = entry.getValue().split(" ");
            String[] y = after.get(key).split(" ");
            double difference = Double.parseDouble(y[0]) - Double.parseDouble(x[0]);
            System.out.printf(Locale.ROOT, "  %-20s %9s (%5s..%5s) %9s (%5s..%5s) %+12.2f %+14.5f%n", key, x[0], x[1],
                    x[2], y[0], y[1], y[2], difference, difference / parked);
        }
        double spanA = Double.parseDouble(before.get("seconds"));
        double spanB = Double.parseDouble(after.get("seconds"));
        System.out.printf(Locale.ROOT, "  statements (calls/s and blocks/call; '-' where a window had none):%n");
        System.out.printf(Locale.ROOT, "    %9s %9s %9s %9s  statement%n", "calls/s A", "calls/s B", "blks A", "blks B");
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (Map<String, String> side : List.of(before, after)) {
            for (Map.Entry<String, String> entry : side.entrySet()) {
                if (entry.getKey().startsWith("stmt.")) {
                    rows.computeIfAbsent(entry.getKey(), k -> new String[5]);
                }
            }
        }
        for (Map.Entry<String, String[]> row : rows.entrySet()) {
            String[] x = before.containsKey(row.getKey()) ? before.get(row.getKey()).split(" ", 5) : null;
            String[] y = after.containsKey(row.getKey()) ? after.get(row.getKey()).split(" ", 5) : null;
            String query = (x != null ? x : y)[4];
            System.out.printf(Locale.ROOT, "    %9s %9s %9s %9s  %s%n", rate(x, spanA), rate(y, spanB), perCall(x),
                    perCall(y), abbreviate(query, 100));
        }
    }

    private static String rate(String[] row, double span) {
        return row == null ? "-" : String.format(Locale.ROOT, "%.3f", Long.parseLong(row[0]) / span);
    }

    private static String perCall(String[] row) {
        return row == null ? "-" : String.format(Locale.ROOT, "%.2f", (double) Long.parseLong(row[2])
                / Long.parseLong(row[0]));
    }

    private static Map<String, String> load(Path file) throws IOException {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            int tab = line.indexOf('\t');
            map.put(line.substring(0, tab), line.substring(tab + 1));
        }
        return map;
    }

    /** PostgreSQL's CPU ticks: the postmaster's own and its ended children's, and its live children's. */
    private static long postgresTicks(long postmaster) throws IOException {
        long total = ticks(postmaster, true);
        String children = Files.readString(Path.of("/proc/" + postmaster + "/task/" + postmaster + "/children")).strip();
        if (!children.isEmpty()) {
            for (String child : children.split("\\s+")) {
                try {
                    total += ticks(Long.parseLong(child), false);
                } catch (IOException gone) {
                    // ended since: its time is in the postmaster's cutime by the next reading
                }
            }
        }
        return total;
    }

    private static long ticks(long pid, boolean withChildren) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after the name: state(0) ppid ... utime(11) stime(12) cutime(13) cstime(14)
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return withChildren ? ticks + Long.parseLong(f[13]) + Long.parseLong(f[14]) : ticks;
    }

    // ---- parking and resuming -----------------------------------------------------------------

    private static void park(int port, int count, int clients) throws Exception {
        BenchApi api = BenchApi.withTimeouts(port, count);
        String body = JSON.writeValueAsString(Map.of("input", INPUT, "client_tools", List.of(Map.of(
                "name", "get_location", "description", "where the user is", "parameters", Map.of("type", "object")))));
        long start = System.nanoTime();
        AtomicInteger next = new AtomicInteger(1);
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            done.add(pool.submit(() -> {
                for (int owner = next.getAndIncrement(); owner <= count; owner = next.getAndIncrement()) {
                    try {
                        api.send(api.request(owner, "/v1/agent/sessions/" + BenchIds.session(owner) + "/runs")
                                .header("Content-Type", "application/json")
                                .header("Idempotency-Key", UUID.randomUUID().toString())
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), 202);
                    } catch (Exception e) {
                        failures.add(e.getMessage());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        double enqueued = (System.nanoTime() - start) / 1e9;
        Map<String, Long> statuses = settledStatuses();
        System.out.printf(Locale.ROOT, "parked: %d runs enqueued by %d clients in %.1f s, all ended or parked %.1f s"
                + " after the first; runs by status: %s%s%n", count - failures.size(), clients, enqueued,
                (System.nanoTime() - start) / 1e9, statuses, failures.isEmpty() ? ""
                        : "; " + failures.size() + " enqueues refused, first: " + failures.get(0));
        if (statuses.getOrDefault("requires_action", 0L) != count) {
            throw new IllegalStateException("not every run parked: " + statuses);
        }
    }

    /** The runs by status once none is queued or running, or as they are after ten minutes. */
    private static Map<String, Long> settledStatuses() throws SQLException {
        Map<String, Long> statuses = Map.of();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        try (Connection db = BenchDb.connect()) {
            while (System.nanoTime() < deadline) {
                statuses = statuses(db);
                if (statuses.getOrDefault("queued", 0L) + statuses.getOrDefault("running", 0L) == 0) {
                    break;
                }
                sleep(500);
            }
        }
        return statuses;
    }

    private static Map<String, Long> statuses(Connection db) throws SQLException {
        Map<String, Long> statuses = new LinkedHashMap<>();
        try (Statement sql = db.createStatement();
             ResultSet r = sql.executeQuery("SELECT status, count(*) FROM agent_run GROUP BY status ORDER BY status")) {
            while (r.next()) {
                statuses.put(r.getString(1), r.getLong(2));
            }
        }
        return statuses;
    }

    private static void resume(int port, int sample, Path csv, int restClients) throws Exception {
        List<Integer> owners = new ArrayList<>();
        List<UUID> runs = new ArrayList<>();
        try (Connection db = BenchDb.connect();
             PreparedStatement parked = db.prepareStatement("SELECT id, owner_id FROM agent_run"
                     + " WHERE status = 'requires_action' ORDER BY owner_id LIMIT ?")) {
            parked.setInt(1, sample);
            try (ResultSet r = parked.executeQuery()) {
                while (r.next()) {
                    runs.add(r.getObject(1, UUID.class));
                    String owner = r.getObject(2, UUID.class).toString();
                    owners.add(Integer.parseInt(owner.substring(owner.lastIndexOf('-') + 1)));
                }
            }
        }
        BenchApi api = BenchApi.withTimeouts(port, owners.stream().mapToInt(Integer::intValue).max().orElse(1));
        List<Double> total = new ArrayList<>();
        List<Double> posted = new ArrayList<>();
        List<Double> toWorker = new ArrayList<>();
        List<Double> modelCall = new ArrayList<>();
        List<Double> withoutModel = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(csv))) {
            out.println("run,post_ms,post_to_resumed_step_ms,post_to_end_ms,model_step_ms");
            for (int i = 0; i < runs.size(); i++) {
                int owner = owners.get(i);
                UUID run = runs.get(i);
                try {
                    JsonNode view = api.send(api.request(owner, "/v1/agent/runs/" + run).GET().build(), 200);
                    String call = view.path("pending_calls").path(0).path("id").asText();
                    String body = JSON.writeValueAsString(Map.of("tool_outputs", List.of(Map.of(
                            "tool_call_id", call, "output", "{\"city\":\"Lisbon\"}"))));
                    Instant before = Instant.now();
                    long sent = System.nanoTime();
                    api.send(api.request(owner, "/v1/agent/runs/" + run + "/tool-outputs")
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), 200);
                    double postMs = (System.nanoTime() - sent) / 1e6;
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    String status;
                    do {
                        sleep(20);
                        view = api.send(api.request(owner, "/v1/agent/runs/" + run).GET().build(), 200);
                        status = view.path("status").asText();
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("run " + run + " still " + status + " after 60 s");
                        }
                    } while (!view.path("finished_at").isTextual() && !view.path("finished_at").isNumber());
                    if (!"succeeded".equals(status)) {
                        throw new IllegalStateException("run " + run + " ended " + status + ": " + view.path("error"));
                    }
                    double end = millis(before, BenchApi.instant(view.path("finished_at")));
                    JsonNode list = api.steps(owner, run.toString());
                    JsonNode answer = list.get(list.size() - 1);
                    double model = "model".equals(answer.path("kind").asText())
                            ? millis(BenchApi.instant(answer.path("started_at")), BenchApi.instant(answer.path("finished_at")))
                            : Double.NaN;
                    double resumed = Double.NaN;
                    for (JsonNode step : list) {
                        double at = millis(before, BenchApi.instant(step.path("started_at")));
                        if (at >= 0 && (Double.isNaN(resumed) || at < resumed)) {
                            resumed = at;
                        }
                    }
                    total.add(end);
                    posted.add(postMs);
                    if (!Double.isNaN(resumed)) {
                        toWorker.add(resumed);
                    }
                    if (!Double.isNaN(model)) {
                        modelCall.add(model);
                        withoutModel.add(end - model);
                    }
                    out.printf(Locale.ROOT, "%s,%.3f,%.3f,%.3f,%.3f%n", run, postMs, resumed, end, model);
                } catch (Exception e) {
                    failures.add(e.getMessage());
                }
            }
        }
        System.out.printf("%nresume: %d parked runs, one at a time: POST .../tool-outputs, then the run's end"
                + " (its finished_at); %d failed%s%n", total.size(), failures.size(),
                failures.isEmpty() ? "" : ", first: " + failures.get(0));
        System.out.println(line("  POST .../tool-outputs answered", posted));
        System.out.println(line("  POST -> first step of the resumed attempt", toWorker));
        System.out.println(line("  RESUME: POST -> the run's end", total));
        System.out.println(line("  the resumed model step (stand-in's answer)", modelCall));
        System.out.println(line("  POST -> end, less that model step", withoutModel));
        if (restClients > 0) {
            resumeRest(port, restClients);
        }
    }

    /** Resumes every run still parked, {@code clients} at a time, and waits until none is open. */
    private static void resumeRest(int port, int clients) throws Exception {
        List<Integer> owners = new ArrayList<>();
        List<UUID> runs = new ArrayList<>();
        try (Connection db = BenchDb.connect(); Statement sql = db.createStatement();
             ResultSet r = sql.executeQuery("SELECT id, owner_id FROM agent_run WHERE status = 'requires_action'")) {
            while (r.next()) {
                runs.add(r.getObject(1, UUID.class));
                String owner = r.getObject(2, UUID.class).toString();
                owners.add(Integer.parseInt(owner.substring(owner.lastIndexOf('-') + 1)));
            }
        }
        BenchApi api = BenchApi.withTimeouts(port, owners.stream().mapToInt(Integer::intValue).max().orElse(1));
        long start = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            done.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < runs.size(); i = next.getAndIncrement()) {
                    try {
                        String path = "/v1/agent/runs/" + runs.get(i);
                        JsonNode view = api.send(api.request(owners.get(i), path).GET().build(), 200);
                        String call = view.path("pending_calls").path(0).path("id").asText();
                        api.send(api.request(owners.get(i), path + "/tool-outputs")
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of(
                                        "tool_outputs", List.of(Map.of("tool_call_id", call, "output", "here"))))))
                                .build(), 200);
                    } catch (Exception e) {
                        failures.add(e.getMessage());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        Map<String, Long> statuses = settledStatuses();
        System.out.printf(Locale.ROOT, "%nthe other %d parked runs resumed by %d clients: all ended %.1f s after the"
                + " first POST; runs by status: %s%s%n", runs.size(), clients, (System.nanoTime() - start) / 1e9,
                statuses, failures.isEmpty() ? "" : "; " + failures.size() + " failed, first: " + failures.get(0));
    }

    private static String line(String label, List<Double> values) {
        double[] v = Percentiles.sorted(values);
        return v.length == 0 ? label + ": nothing measured" : Percentiles.line(label, v);
    }

    private static double millis(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    // ---- the sweep's statement ----------------------------------------------------------------

    private static void explain(Path dir, int expirySeconds) throws Exception {
        String sweep = SWEEP.formatted(expirySeconds);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("sweep.sql"), sweep.replace('\n', ' ') + ";\n");
        try (Connection db = BenchDb.connect(); Statement sql = db.createStatement()) {
            long parked;
            try (ResultSet r = sql.executeQuery("SELECT count(*) FROM agent_run"
                    + " WHERE status IN ('requires_approval', 'requires_action') AND deleted_at IS NULL")) {
                r.next();
                parked = r.getLong(1);
            }
            db.setAutoCommit(false);
            System.out.printf("%nthe expiry sweep with %d runs parked, EXPLAIN (ANALYZE, BUFFERS), rolled back:%n", parked);
            try (ResultSet r = sql.executeQuery("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) " + sweep)) {
                while (r.next()) {
                    System.out.println("  " + r.getString(1));
                }
            }
            db.rollback();
            // The worker's claim and the rescuer's lease pass, as the repositories send them, with
            // their generic plans (pgjdbc prepares them on the server; PostgreSQL goes generic after
            // five executions when that plan is no dearer).
            try (ResultSet r = sql.executeQuery("""
                    SELECT count(*) FILTER (WHERE xact_start IS NOT NULL), coalesce(max(age(backend_xmin)), 0)
                    FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()""")) {
                r.next();
                System.out.printf("%nother sessions with a transaction open: %d; oldest xmin's age: %d%n", r.getLong(1),
                        r.getLong(2));
            }
            db.rollback();
            explainGeneric(db, sql, "the workers' claim (nothing queued)", constant(RunRepository.class, "CLAIM"),
                    "timestamptz, text, timestamptz", "now(), 'bench', now() + interval '120 seconds'",
                    ":now", ":worker", ":expires");
            explainGeneric(db, sql, "the rescuer's lease pass (nothing expired)", constant(RunRepository.class, "RESCUE"),
                    "timestamptz, int, text", "now(), 3, 'bench'", ":now", ":maxAttempts", ":orphanReason");
        }
    }

    private static void explainGeneric(Connection db, Statement sql, String label, String statement, String types,
                                       String values, String... names) throws SQLException {
        for (int i = 0; i < names.length; i++) {
            statement = statement.replace(names[i], "$" + (i + 1));
        }
        System.out.printf("%n%s, generic plan, EXPLAIN (ANALYZE, BUFFERS), rolled back:%n", label);
        sql.execute("PREPARE bench_explained(" + types + ") AS " + statement);
        sql.execute("SET LOCAL plan_cache_mode = force_generic_plan");
        try (ResultSet r = sql.executeQuery("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) EXECUTE bench_explained("
                + values + ")")) {
            while (r.next()) {
                System.out.println("  " + r.getString(1));
            }
        }
        db.rollback();
        sql.execute("DEALLOCATE ALL");
        db.commit();
    }

    /** A repository's SQL constant, read from the class: the bench explains what the application sends. */
    private static String constant(Class<?> type, String name) {
        try {
            java.lang.reflect.Field field = type.getDeclaredField(name);
            field.setAccessible(true);
            return (String) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type.getSimpleName() + "." + name + " is gone: update ParkedLoad", e);
        }
    }

    // ---- plumbing -----------------------------------------------------------------------------

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
