package dev.eryao.bench;

import static dev.eryao.bench.Pause.sleep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.eryao.provider.ChunkWriter;
import dev.eryao.provider.SseEvent;
import dev.eryao.provider.SseParser;
import dev.eryao.provider.SseStreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Run event streams ({@code GET /v1/agent/runs/{task_id}/events}) under load, for {@code bench/streams}.
 * The server is a separate {@code serve} process on 127.0.0.1; the owners are the benchmark
 * fixture's (1..n, {@link Fixtures}), with tokens signed by ERYAO_AUTH__JWT_SECRET.
 *
 * <ul>
 *   <li>{@code idle <port> <serve pid> <counts, e.g. 0,10,100,1000> <window s> <runs file>}: keeps
 *       that many streams open on queued runs (one run per owner, enqueued once and remembered in
 *       the file) and, at each count, reads the database's transactions per second from
 *       {@code pg_stat_database} over the window; at the first and the last count, the serve JVM's
 *       live heap ({@code jcmd GC.class_histogram}: a full GC, then the live objects counted) and its RSS.</li>
 *   <li>{@code ttft <port> <owners> <runs in flight, e.g. 1,20,100> <chunks> <gap ms> <warm-up s> <seconds>
 *       <serve warm-up s> [new|one]}: the backend's share of the time to first token. At each level, that many
 *       clients each post a run (in a new session of the owner's each time with {@code new}; else in
 *       the owner's one session, whose conversation grows), open its event stream and read it to the end, again and again; for
 *       each run, the time from sending the POST to the first {@code delta} event's arrival, minus
 *       the model's own delay (from the request's arrival at the model to its first chunk, both
 *       written in that chunk's text). Then the same clients call the model directly, for the floor
 *       that loopback HTTP itself costs.</li>
 *   <li>{@code pg-setting <name> <value>}: changes a PostgreSQL setting that a reload applies.</li>
 *   <li>{@code cancel <port> <runs file>}: cancels those runs (so a later worker does not perform them).</li>
 *   <li>{@code latency <port> <owners> <live runs, e.g. 5,20,50> <chunks> <gap ms> <enqueues/s> <warm-up s>
 *       <seconds> <serve warm-up s>}: after a first load of up to 20 clients for the serve's warm-up, a model of its own on loopback (the OpenAI streaming protocol: {@code data:} lines, {@code [DONE]})
 *       writes each chunk with its send time ({@code System.nanoTime()}, this JVM's clock) in its text;
 *       at each level, that many clients each enqueue a run, follow its events and compute, for every chunk a
 *       {@code delta} event carries, the time from its sending to the event's arrival; another thread
 *       enqueues runs for other owners at a steady rate meanwhile.</li>
 * </ul>
 */
public final class StreamLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STAMP = Pattern.compile("ts(\\d+)\\.(\\d+) ");
    private static final Pattern STATUS = Pattern.compile("\"status\":\"([a-z_]+)\"");
    private static final long SETTLE_MS = 11_000;

    private StreamLoad() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "idle" -> idle(Integer.parseInt(args[1]), Long.parseLong(args[2]),
                    Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray(),
                    Integer.parseInt(args[4]), Path.of(args[5]));
            case "cancel" -> cancel(Integer.parseInt(args[1]), Path.of(args[2]));
            case "latency" -> latency(Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                    Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray(), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Double.parseDouble(args[6]), Integer.parseInt(args[7]),
                    Integer.parseInt(args[8]), Integer.parseInt(args[9]));
            case "ttft" -> ttft(Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                    Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray(), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]), Integer.parseInt(args[7]),
                    Integer.parseInt(args[8]), args.length > 9 && "new".equals(args[9]));
            case "pg-setting" -> pgSetting(args[1], args[2]);
            default -> throw new IllegalArgumentException("unknown mode " + args[0] + " (idle, cancel, latency, ttft or pg-setting)");
        }
        System.exit(0);   // open streams' reader threads are not waited for
    }

    // ---- a: transactions per second, b: memory per stream ---------------------------------------

    private static void idle(int port, long servePid, int[] counts, int windowSeconds, Path runsFile) throws Exception {
        int most = Arrays.stream(counts).max().orElseThrow();
        BenchApi api = BenchApi.withoutTimeouts(port, most);
        List<UUID> runs;
        try (Connection db = BenchDb.connect()) {
            runs = queuedRuns(api, db, most, runsFile);
            List<EventStream> open = new ArrayList<>();
            Memory before = null;
            for (int count : counts) {
                while (open.size() < count) {
                    int owner = open.size() + 1;
                    open.add(EventStream.open(api, owner, runs.get(owner - 1), null));
                }
                for (EventStream stream : open) {
                    if (!stream.started.await(120, TimeUnit.SECONDS) || stream.failure != null) {
                        throw new IllegalStateException("a stream did not start within 120 s: " + stream.failure);
                    }
                }
                // The opening reads reach pg_stat_database: a backend that goes idle within a second of its
                // last report reports again 10 s later (PostgreSQL's PGSTAT_IDLE_INTERVAL).
                Thread.sleep(SETTLE_MS);
                long comments = open.stream().mapToLong(s -> s.comments.get()).sum();
                long ended = open.stream().filter(s -> s.ended).count();
                long first = transactions(db);
                long started = System.nanoTime();
                Thread.sleep(windowSeconds * 1000L);
                long last = transactions(db);
                double seconds = (System.nanoTime() - started) / 1e9;
                // The first reading's own transaction is counted in the window; the last one's is not yet.
                double rate = (last - first - 1) / seconds;
                long openNow = open.stream().filter(s -> !s.ended).count();
                long keepAlives = open.stream().mapToLong(s -> s.comments.get()).sum() - comments;
                System.out.printf("streams=%d transactions_per_s=%.2f window_s=%.1f open_at_end=%d ended_before=%d"
                        + " keep_alive_comments_in_window=%d%n", count, rate, seconds, openNow, ended, keepAlives);
                if (count == counts[0] || count == most) {
                    Memory memory = Memory.of(servePid);
                    System.out.printf("streams=%d live_heap_kib=%d rss_kib=%d%n", count, memory.heapKib, memory.rssKib);
                    if (count == counts[0]) {
                        before = memory;
                    } else if (before != null && count > counts[0]) {
                        int added = count - counts[0];
                        System.out.printf("per_stream heap_bytes=%d rss_bytes=%d (over %d streams)%n",
                                (memory.heapKib - before.heapKib) * 1024 / added,
                                (memory.rssKib - before.rssKib) * 1024 / added, added);
                    }
                }
            }
            open.forEach(EventStream::close);
        }
    }

    /** The runs the streams follow: read from the file, or enqueued now (one per owner) and written there. */
    private static List<UUID> queuedRuns(BenchApi api, Connection db, int count, Path file) throws Exception {
        if (Files.exists(file)) {
            return Files.readAllLines(file).stream().map(UUID::fromString).toList();
        }
        UUID model = localModel(db);
        List<UUID> runs = new ArrayList<>();
        for (int owner = 1; owner <= count; owner++) {
            runs.add(enqueue(api, owner, model));
        }
        Files.write(file, runs.stream().map(UUID::toString).toList());
        return runs;
    }

    private static void cancel(int port, Path runsFile) throws Exception {
        List<UUID> runs = Files.readAllLines(runsFile).stream().map(UUID::fromString).toList();
        BenchApi api = BenchApi.withoutTimeouts(port, runs.size());
        int cancelled = 0;
        for (int i = 0; i < runs.size(); i++) {
            HttpResponse<String> answer = api.http.send(api.request(i + 1, "/v1/agent/runs/" + runs.get(i) + "/cancel")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() == 200) {
                cancelled++;
            }
        }
        System.out.printf("cancelled=%d of %d%n", cancelled, runs.size());
    }

    /** Sets a server setting that a reload applies (ALTER SYSTEM, then pg_reload_conf()). */
    private static void pgSetting(String name, String value) throws SQLException {
        if (!name.matches("[a-z_]+") || !value.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("not a plain setting: " + name + " = " + value);
        }
        try (Connection db = BenchDb.connect(); java.sql.Statement statement = db.createStatement()) {
            statement.execute("ALTER SYSTEM SET " + name + " = " + value);
            statement.execute("SELECT pg_reload_conf()");
        }
    }

    /** Every transaction of this database so far, committed or rolled back (as reported to the statistics). */
    private static long transactions(Connection db) throws SQLException {
        try (PreparedStatement read = db.prepareStatement(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()");
             ResultSet row = read.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    /**
     * The serve JVM's live heap and its resident set, in KiB. The live heap is what a class
     * histogram counts: it collects fully and counts in the same pause, so what the process
     * allocates meanwhile (a polling stream's reads) does not enter it, as it would a heap reading
     * taken after {@code GC.run}.
     */
    private record Memory(long heapKib, long rssKib) {
        private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

        static Memory of(long pid) throws Exception {
            Matcher live = TOTAL.matcher(jcmd(pid, "GC.class_histogram"));
            if (!live.find()) {
                throw new IllegalStateException("jcmd GC.class_histogram printed no total");
            }
            long rss = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", ""))).findFirst().orElseThrow();
            return new Memory(Long.parseLong(live.group(1)) / 1024, rss);
        }

        private static String jcmd(long pid, String command) throws Exception {
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("jcmd " + command + " failed: " + out);
            }
            return out;
        }
    }

    // ---- c: the delay from the model's chunk to the client's event --------------------------------

    private static void latency(int port, int owners, int[] levels, int chunks, int gapMs, double enqueuesPerSecond,
                                int warmupSeconds, int seconds, int serveWarmupSeconds) throws Exception {
        int most = Arrays.stream(levels).max().orElseThrow();
        if (most >= owners) {
            throw new IllegalArgumentException("live runs (" + most + ") must be fewer than the owners (" + owners + ")");
        }
        BenchApi api = BenchApi.withoutTimeouts(port, owners);
        try (TimedModel server = TimedModel.start(chunks, gapMs); Connection db = BenchDb.connect()) {
            UUID model = localModelAt(db, server);
            System.out.printf("model: %d chunks %d ms apart per run; background enqueues asked %.1f/s for owners %d..%d%n",
                    chunks, gapMs, enqueuesPerSecond, most + 1, owners);
            if (serveWarmupSeconds > 0) {
                // A fresh serve JVM needs about a minute of load on two busy cores before its JIT has
                // compiled the hot paths; this load is not reported.
                latencyAt(api, db, server, model, Math.min(20, most), most + 1, owners, enqueuesPerSecond,
                        serveWarmupSeconds, 0, false);
            }
            for (int liveRuns : levels) {
                latencyAt(api, db, server, model, liveRuns, most + 1, owners, enqueuesPerSecond, warmupSeconds, seconds,
                        true);
            }
        }
    }

    /** One level of c.: {@code liveRuns} clients following runs, beside the background's enqueues. */
    private static void latencyAt(BenchApi api, Connection db, TimedModel server, UUID model, int liveRuns, int firstOther,
                                  int owners, double enqueuesPerSecond, int warmupSeconds, int seconds, boolean report)
            throws Exception {
        int callsBefore = server.calls.get();
        long measureFrom = System.nanoTime() + warmupSeconds * 1_000_000_000L;
        long end = measureFrom + seconds * 1_000_000_000L;
        Delays delays = new Delays(measureFrom, end);
        AtomicLong runsDone = new AtomicLong();
        AtomicLong runsNotSucceeded = new AtomicLong();
        AtomicLong clientErrors = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<String> firstError = new java.util.concurrent.atomic.AtomicReference<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 1; c <= liveRuns; c++) {
            int owner = c;
            clients.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    try {
                        EventStream stream = EventStream.open(api, owner, enqueue(api, owner, model), delays);
                        // A run still queued long after the end (a backlog) is left unfollowed.
                        long left = end - System.nanoTime() + 60_000_000_000L;
                        if (!stream.done.await(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                            stream.close();
                            break;
                        }
                        if (stream.failure != null) {
                            clientErrors.incrementAndGet();
                            firstError.compareAndSet(null, stream.failure);
                        } else {
                            runsDone.incrementAndGet();
                            if (!"succeeded".equals(stream.lastStatus)) {
                                runsNotSucceeded.incrementAndGet();
                            }
                        }
                    } catch (Exception e) {
                        clientErrors.incrementAndGet();
                        firstError.compareAndSet(null, e.toString());
                        sleep(100);
                    }
                }
            }));
        }
        Background background = new Background(api, model, firstOther, owners, enqueuesPerSecond, end);
        Thread enqueuer = Thread.ofPlatform().name("bench-enqueue").start(background::run);
        enqueuer.join();
        for (Thread client : clients) {
            client.join(Duration.ofSeconds(120));
        }
        // What the background left queued is cancelled, so a later measurement starts with an empty queue.
        long leftQueued = 0;
        for (Queued run : background.queued) {
            HttpResponse<String> answer = api.http.send(api.request(run.owner(), "/v1/agent/runs/" + run.run()
                    + "/cancel").POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 409) {
                leftQueued++;
            }
        }
        if (!report) {
            return;
        }
        long measuredNanos = end - measureFrom;
        Delays written = writeDelays(db, measureFrom, end);
        System.out.printf("%d clients, each following one run at a time:%n", liveRuns);
        System.out.printf("  delay_ms count=%d p50=%.1f p90=%.1f p99=%.1f max=%.1f (chunks sent in the %d s after %d s"
                + " of warm-up; %d sent before their stream was open were not counted)%n",
                delays.count(), delays.percentile(0.50), delays.percentile(0.90), delays.percentile(0.99),
                delays.max(), seconds, warmupSeconds, delays.catchUp.get());
        System.out.printf("  of which model_to_write_begun_ms count=%d p50=%.1f p90=%.1f p99=%.1f max=%.1f (every run's"
                + " chunks: the send time against agent_run_delta.created_at, the worker's clock when it began the"
                + " write that stored them)%n", written.count(), written.percentile(0.50), written.percentile(0.90),
                written.percentile(0.99), written.max());
        System.out.printf("  delta_events=%d chunks_per_delta_event=%.2f%n", delays.events.get(),
                delays.events.get() == 0 ? 0.0 : (double) delays.chunks.get() / delays.events.get());
        System.out.printf("  followed_runs_finished=%d not_succeeded=%d client_errors=%d%s model_calls=%d%n",
                runsDone.get(), runsNotSucceeded.get(), clientErrors.get(),
                firstError.get() == null ? "" : " (first: " + firstError.get() + ")", server.calls.get() - callsBefore);
        System.out.printf("  background_enqueues accepted=%d refused_or_failed=%d rate=%.1f/s"
                + " (unfinished at the end, then cancelled: %d)%n",
                background.accepted.get(), background.failed.get(),
                background.accepted.get() / ((measuredNanos + warmupSeconds * 1e9) / 1e9), leftQueued);
    }

    // ---- d: the backend's share of the time to first token ------------------------------------------

    private static void ttft(int port, int owners, int[] levels, int chunks, int gapMs, int warmupSeconds, int seconds,
                             int serveWarmupSeconds, boolean newSessions) throws Exception {
        int most = Arrays.stream(levels).max().orElseThrow();
        if (most > owners) {
            throw new IllegalArgumentException("runs in flight (" + most + ") must be at most the owners (" + owners + ")");
        }
        BenchApi api = BenchApi.withoutTimeouts(port, owners);
        try (TimedModel server = TimedModel.start(chunks, gapMs); Connection db = BenchDb.connect()) {
            UUID model = localModelAt(db, server);
            System.out.printf("model: its first chunk %d ms after the request arrives, then %d more %d ms apart%n",
                    gapMs, chunks - 1, gapMs);
            System.out.println(newSessions
                    ? "each run the first question of a new session (created before its POST is timed)"
                    : "each client's runs one after the other in the owner's one session: its conversation grows"
                            + " (the context read is bounded at 100 messages)");
            if (serveWarmupSeconds > 0) {
                // A fresh serve JVM's JIT warm-up, not reported (see c.).
                firstTokensAt(api, db, model, Math.min(20, most), serveWarmupSeconds, 0, false, newSessions);
            }
            for (int inFlight : levels) {
                firstTokensAt(api, db, model, inFlight, warmupSeconds, seconds, true, newSessions);
            }
            for (int inFlight : levels) {
                directFirstTokensAt(server, inFlight, seconds);
            }
        }
    }

    /** The first chunk's text: {@code rq<nanoTime of the request's arrival> ts<nanoTime when sent>.}. */
    private static final Pattern FIRST = Pattern.compile("rq(\\d+) ts(\\d+)\\.");

    /** One level of d.: {@code inFlight} clients, each posting a run and following it to its end, again and again. */
    private static void firstTokensAt(BenchApi api, Connection db, UUID model, int inFlight, int warmupSeconds, int seconds,
                                      boolean report, boolean newSessions) throws Exception {
        long measureFrom = System.nanoTime() + warmupSeconds * 1_000_000_000L;
        long end = measureFrom + seconds * 1_000_000_000L;
        Delays share = new Delays(0, Long.MAX_VALUE);
        Delays beforeModel = new Delays(0, Long.MAX_VALUE);
        Delays chunkToClient = new Delays(0, Long.MAX_VALUE);
        Delays whole = new Delays(0, Long.MAX_VALUE);
        Delays accepted = new Delays(0, Long.MAX_VALUE);
        java.util.Queue<UUID> measured = new java.util.concurrent.ConcurrentLinkedQueue<>();
        AtomicLong notSucceeded = new AtomicLong();
        AtomicLong noDelta = new AtomicLong();
        AtomicLong clientErrors = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<String> firstError = new java.util.concurrent.atomic.AtomicReference<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 1; c <= inFlight; c++) {
            int owner = c;
            clients.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    try {
                        UUID session = newSessions ? newSession(api, owner, model) : BenchIds.session(owner);
                        long posted = System.nanoTime();
                        UUID run = enqueue(api, owner, session, model);
                        long answered = System.nanoTime();
                        EventStream stream = EventStream.open(api, owner, run, null);
                        if (!stream.done.await(120, TimeUnit.SECONDS)) {
                            stream.close();
                            clientErrors.incrementAndGet();
                            firstError.compareAndSet(null, "a run did not end within 120 s");
                            continue;
                        }
                        if (stream.failure != null) {
                            clientErrors.incrementAndGet();
                            firstError.compareAndSet(null, stream.failure);
                            continue;
                        }
                        if (!"succeeded".equals(stream.lastStatus)) {
                            notSucceeded.incrementAndGet();
                        }
                        Matcher first = stream.firstDelta == null ? null : FIRST.matcher(stream.firstDelta);
                        if (first == null || !first.find()) {
                            noDelta.incrementAndGet();
                        } else if (posted >= measureFrom && posted < end) {
                            long arrived = Long.parseLong(first.group(1));
                            long sent = Long.parseLong(first.group(2));
                            long received = stream.firstDeltaNanos;
                            whole.add((received - posted) / 1_000);
                            share.add(((received - posted) - (sent - arrived)) / 1_000);
                            beforeModel.add((arrived - posted) / 1_000);
                            chunkToClient.add((received - sent) / 1_000);
                            accepted.add((answered - posted) / 1_000);
                            measured.add(run);
                        }
                    } catch (Exception e) {
                        clientErrors.incrementAndGet();
                        firstError.compareAndSet(null, e.toString());
                        sleep(100);
                    }
                }
            }));
        }
        for (Thread client : clients) {
            client.join();
        }
        if (!report) {
            return;
        }
        System.out.printf("%d runs in flight (%d clients, each posting a run and following it to its end):%n",
                inFlight, inFlight);
        System.out.printf("  backend_share_ms count=%d p50=%.1f p90=%.1f p99=%.1f max=%.1f (POST sent to first delta"
                + " received, minus the model's own delay to its first chunk; runs posted in the %d s after %d s"
                + " of warm-up)%n", share.count(), share.percentile(0.50), share.percentile(0.90),
                share.percentile(0.99), share.max(), seconds, warmupSeconds);
        System.out.printf("    of which before_model_asked_ms p50=%.1f p99=%.1f, chunk_to_client_ms p50=%.1f p99=%.1f%n",
                beforeModel.percentile(0.50), beforeModel.percentile(0.99), chunkToClient.percentile(0.50),
                chunkToClient.percentile(0.99));
        Delays queued = claimWaits(db, measured);
        System.out.printf("    before the model was asked: post_answered_ms p50=%.1f p99=%.1f (the 202 at the client),"
                + " created_to_started_ms p50=%.1f p99=%.1f (agent_run: accepted to claimed)%n",
                accepted.percentile(0.50), accepted.percentile(0.99), queued.percentile(0.50), queued.percentile(0.99));
        System.out.printf("  time_to_first_token_ms p50=%.1f p99=%.1f (the model's own delay included)%n",
                whole.percentile(0.50), whole.percentile(0.99));
        System.out.printf("  runs_not_succeeded=%d runs_without_delta=%d client_errors=%d%s%n", notSucceeded.get(),
                noDelta.get(), clientErrors.get(), firstError.get() == null ? "" : " (first: " + firstError.get() + ")");
    }

    /** For each run, {@code started_at - created_at}: from its acceptance to its claim, as serve's clock read them. */
    private static Delays claimWaits(Connection db, java.util.Collection<UUID> runs) throws SQLException {
        Delays waits = new Delays(0, Long.MAX_VALUE);
        try (PreparedStatement read = db.prepareStatement("SELECT (extract(epoch FROM started_at - created_at)"
                + " * 1000000)::bigint FROM agent_run WHERE id = ANY (?)")) {
            read.setArray(1, db.createArrayOf("uuid", runs.toArray()));
            try (ResultSet rows = read.executeQuery()) {
                while (rows.next()) {
                    waits.add(rows.getLong(1));
                }
            }
        }
        return waits;
    }

    /** The floor: {@code inFlight} clients calling the model directly, its first chunk's share measured the same way. */
    private static void directFirstTokensAt(TimedModel server, int inFlight, int seconds) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        Delays share = new Delays(0, Long.MAX_VALUE);
        AtomicLong errors = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < inFlight; c++) {
            clients.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    try {
                        long posted = System.nanoTime();
                        HttpResponse<InputStream> answer = http.send(HttpRequest.newBuilder(URI.create(server.url()))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"bench\",\"stream\":true}"))
                                .build(), HttpResponse.BodyHandlers.ofInputStream());
                        try (InputStream body = answer.body()) {
                            java.io.BufferedReader lines = new java.io.BufferedReader(
                                    new java.io.InputStreamReader(body, StandardCharsets.UTF_8));
                            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                                Matcher first = FIRST.matcher(line);
                                if (first.find()) {
                                    long received = System.nanoTime();
                                    long arrived = Long.parseLong(first.group(1));
                                    long sent = Long.parseLong(first.group(2));
                                    share.add(((received - posted) - (sent - arrived)) / 1_000);
                                }
                            }
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        sleep(100);
                    }
                }
            }));
        }
        for (Thread client : clients) {
            client.join();
        }
        System.out.printf("the model called directly, %d at once: share_ms count=%d p50=%.1f p99=%.1f max=%.1f errors=%d%n",
                inFlight, share.count(), share.percentile(0.50), share.percentile(0.99), share.max(), errors.get());
    }

    /**
     * For every chunk sent within the window (any run's), the time from its sending to the start of
     * the worker's write that stored it: the part of the delay spent before the database.
     */
    private static Delays writeDelays(Connection db, long from, long to) throws SQLException {
        Delays written = new Delays(from, to);
        try (PreparedStatement read = db.prepareStatement(
                "SELECT content, (extract(epoch FROM created_at) * 1000000)::bigint FROM agent_run_delta");
             ResultSet rows = read.executeQuery()) {
            while (rows.next()) {
                Matcher stamp = STAMP.matcher(rows.getString(1));
                long begun = rows.getLong(2);
                while (stamp.find()) {
                    long sent = Long.parseLong(stamp.group(1));
                    if (sent >= from && sent < to) {
                        written.add(begun - Long.parseLong(stamp.group(2)));
                    }
                }
            }
        }
        return written;
    }

    private record Queued(int owner, UUID run) {
    }

    /** Enqueues runs for owners {@code from..to} in turn, at a steady rate, each on a thread of its own. */
    private static final class Background {
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final java.util.Queue<Queued> queued = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final BenchApi api;
        private final UUID model;
        private final int from;
        private final int to;
        private final double perSecond;
        private final long end;

        Background(BenchApi api, UUID model, int from, int to, double perSecond, long end) {
            this.api = api;
            this.model = model;
            this.from = from;
            this.to = to;
            this.perSecond = perSecond;
            this.end = end;
        }

        void run() {
            if (perSecond <= 0) {
                sleep((end - System.nanoTime()) / 1_000_000);
                return;
            }
            long interval = (long) (1e9 / perSecond);
            long next = System.nanoTime();
            int owner = from;
            while (next < end) {
                int who = owner;
                Thread.ofVirtual().start(() -> {
                    try {
                        queued.add(new Queued(who, enqueue(api, who, model)));
                        accepted.incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                });
                owner = owner == to ? from : owner + 1;
                next += interval;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    sleep(wait / 1_000_000);
                }
            }
        }
    }

    /** The chunks' delays, in microseconds, for chunks sent within the measuring window. */
    static final class Delays {
        final AtomicLong catchUp = new AtomicLong();
        final AtomicLong events = new AtomicLong();
        final AtomicLong chunks = new AtomicLong();
        private final long from;
        private final long to;
        private long[] micros = new long[1 << 16];
        private int size;

        Delays(long from, long to) {
            this.from = from;
            this.to = to;
        }

        /** A delta event received at {@code receivedNanos} by a stream open since {@code openedNanos}. */
        void delta(String data, long openedNanos, long receivedNanos) {
            events.incrementAndGet();
            Matcher stamp = STAMP.matcher(data);
            while (stamp.find()) {
                chunks.incrementAndGet();
                long sent = Long.parseLong(stamp.group(1));
                if (sent < openedNanos) {
                    catchUp.incrementAndGet();   // read back from the database on connecting, not delivered live
                } else if (sent >= from && sent < to) {
                    add((receivedNanos - sent) / 1_000);
                }
            }
        }

        private synchronized void add(long value) {
            if (size == micros.length) {
                micros = Arrays.copyOf(micros, size * 2);
            }
            micros[size++] = value;
        }

        synchronized int count() {
            return size;
        }

        synchronized double percentile(double p) {
            if (size == 0) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOf(micros, size);
            Arrays.sort(sorted);
            return sorted[Math.min(size - 1, (int) Math.ceil(p * size) - 1)] / 1000.0;
        }

        synchronized double max() {
            return size == 0 ? Double.NaN : Arrays.stream(micros, 0, size).max().orElseThrow() / 1000.0;
        }
    }

    /**
     * A model on loopback speaking OpenAI's streaming protocol: a role chunk, then {@code chunks}
     * content chunks {@code gapMs} apart, each text {@code "ts<System.nanoTime() when sent> "} (the
     * first preceded by {@code "rq<System.nanoTime() when the request arrived> "}), a
     * finish chunk, the usage chunk the request asks for, and {@code data: [DONE]}.
     */
    private static final class TimedModel implements AutoCloseable {
        final AtomicInteger calls = new AtomicInteger();
        private final HttpServer server;
        private final int chunks;
        private final int gapMs;

        private TimedModel(HttpServer server, int chunks, int gapMs) {
            this.server = server;
            this.chunks = chunks;
            this.gapMs = gapMs;
        }

        static TimedModel start(int chunks, int gapMs) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            TimedModel model = new TimedModel(server, chunks, gapMs);
            server.createContext("/v1/chat/completions", model::handle);
            server.start();
            return model;
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/chat/completions";
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                long arrived = System.nanoTime();
                calls.incrementAndGet();
                exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = exchange.getResponseBody();
                ChunkWriter writer = new ChunkWriter("bench", "bench", true);
                write(out, writer.role());
                for (int i = 0; i < chunks; i++) {
                    sleep(gapMs);
                    write(out, writer.delta((i == 0 ? "rq" + arrived + " " : "") + stamp()));
                }
                write(out, writer.finish("stop"));
                write(out, writer.usage(10, chunks * 6));
                write(out, ChunkWriter.done());
                out.close();
            } catch (IOException e) {
                // the worker closed the connection (a stop): nothing to do
            }
        }

        /** {@code ts<System.nanoTime()>.<epoch microseconds> }: the first for the client, the second for the database. */
        private static String stamp() {
            Instant now = Instant.now();
            return "ts" + System.nanoTime() + "." + (now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000) + " ";
        }

        private static void write(OutputStream out, String event) throws IOException {
            out.write(event.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    // ---- shared -------------------------------------------------------------------------------------

    /** Queues a run on the owner's session with {@code model}; its task id. */
    private static UUID enqueue(BenchApi api, int owner, UUID model) throws Exception {
        return enqueue(api, owner, BenchIds.session(owner), model);
    }

    /** Queues a run on the owner's {@code session} with {@code model}; its task id. */
    private static UUID enqueue(BenchApi api, int owner, UUID session, UUID model) throws Exception {
        String path = "/v1/agent/sessions/" + session + "/runs";
        HttpResponse<String> answer = api.http.send(api.request(owner, path)
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"bench stream\",\"llm_id\":\"" + model + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 202) {
            throw new IllegalStateException("enqueue answered " + answer.statusCode() + ": " + answer.body());
        }
        return UUID.fromString(JSON.readTree(answer.body()).path("task_id").asText());
    }

    /** A new session of the owner's, with {@code model}: a conversation with nothing before its first question. */
    private static UUID newSession(BenchApi api, int owner, UUID model) throws Exception {
        HttpResponse<String> answer = api.http.send(api.request(owner, "/v1/agent/sessions")
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"bench ttft\",\"llm_id\":\"" + model + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 201) {
            throw new IllegalStateException("a new session answered " + answer.statusCode() + ": " + answer.body());
        }
        return UUID.fromString(JSON.readTree(answer.body()).path("id").asText());
    }

    /** One run's event stream, read on a virtual thread of its own. */
    private static final class EventStream {
        /** The longest line and event read: a final status carries the whole answer, far below this. */
        private static final int MAX_EVENT_BYTES = 64 << 20;

        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicLong comments = new AtomicLong();
        volatile boolean ended;
        volatile String lastStatus;
        volatile String failure;
        volatile String firstDelta;
        volatile long firstDeltaNanos;
        private volatile InputStream body;

        static EventStream open(BenchApi api, int owner, UUID run, Delays delays) {
            EventStream stream = new EventStream();
            Thread.ofVirtual().start(() -> stream.read(api, owner, run, delays));
            return stream;
        }

        private void read(BenchApi api, int owner, UUID run, Delays delays) {
            try {
                HttpResponse<InputStream> response = api.http.send(api.request(owner, "/v1/agent/runs/" + run + "/events")
                        .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                long opened = System.nanoTime();
                body = response.body();
                if (response.statusCode() != 200) {
                    failure = "events answered " + response.statusCode() + ": "
                            + new String(body.readAllBytes(), StandardCharsets.UTF_8);
                    return;
                }
                SseStreamReader.read(body, MAX_EVENT_BYTES, MAX_EVENT_BYTES, new SseParser.Listener() {
                    @Override
                    public void onEvent(SseEvent event) {
                        long received = System.nanoTime();
                        if ("delta".equals(event.type())) {
                            if (firstDelta == null) {
                                firstDeltaNanos = received;
                                firstDelta = event.data();
                            }
                            if (delays != null) {
                                delays.delta(event.data(), opened, received);
                            }
                        } else if ("status".equals(event.type())) {
                            Matcher status = STATUS.matcher(event.data());
                            if (status.find()) {
                                lastStatus = status.group(1);
                            }
                            started.countDown();
                        }
                    }

                    @Override
                    public void onComment(String text) {
                        comments.incrementAndGet();
                    }
                });
            } catch (IOException e) {
                if (!ended) {
                    failure = e.toString();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                ended = true;
                started.countDown();
                done.countDown();
            }
        }

        void close() {
            ended = true;
            InputStream open = body;
            if (open != null) {
                try {
                    open.close();
                } catch (IOException ignored) {
                    // closing a stream that is already broken changes nothing
                }
            }
        }
    }

    /** The seeded local model, its requests sent to {@code server} from now on. */
    private static UUID localModelAt(Connection db, TimedModel server) throws SQLException {
        UUID model = localModel(db);
        try (PreparedStatement point = db.prepareStatement("UPDATE llms SET request_url = ? WHERE id = ?")) {
            point.setString(1, server.url());
            point.setObject(2, model);
            point.executeUpdate();
        }
        return model;
    }

    /** The seeded local model (loopback), which the benchmark's runs name. */
    private static UUID localModel(Connection db) throws SQLException {
        try (PreparedStatement find = db.prepareStatement("SELECT l.id FROM llms l JOIN llm_factory f ON f.id = l.factory_id"
                + " WHERE f.name = 'local' AND l.model_code = 'llama3.2' AND l.deleted_at IS NULL");
             ResultSet row = find.executeQuery()) {
            if (!row.next()) {
                throw new IllegalStateException("the seeded model local/llama3.2 is missing: run `eryao bootstrap` first");
            }
            return row.getObject(1, UUID.class);
        }
    }
}
