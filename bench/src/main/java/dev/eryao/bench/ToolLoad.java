package dev.eryao.bench;

import static dev.eryao.bench.Pause.sleep;
import static dev.eryao.bench.Percentiles.line;
import static dev.eryao.bench.Percentiles.pct;
import static dev.eryao.bench.Percentiles.sorted;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one tool step adds beyond the tool's own time, for {@code bench/tools}. The server is a
 * separate {@code serve} process with its workers on 127.0.0.1, the model and the MCP server the
 * {@code eryao stand-in} process (the seeded {@code local/llama3.2} and {@code demo} pointed at it);
 * the owners are the benchmark fixture's (1..n, {@link Fixtures}), with tokens signed by
 * ERYAO_AUTH__JWT_SECRET.
 *
 * <ul>
 *   <li>{@code point <model url> <mcp url>}: points the seeded model and the {@code demo} MCP server at the stand-in.</li>
 *   <li>{@code run <port> <levels, e.g. 1,4> <calls> <warm-up s> <seconds> <serve warm-up s> <mcp url> <csv>}
 *       (each tool step's figures in the CSV, each level's overhead p50 and p99 in {@code <csv>.summary}):
 *       at each level, that many clients (owner i: client i) each enqueue a run offered the
 *       {@code demo} tools whose input asks for {@code calls} calls of {@code demo__word_count},
 *       wait for it to end and read its steps ({@code GET /v1/agent/runs/{task_id}/steps}), again
 *       and again; meanwhile a probe calls the same tool on the stand-in directly (one MCP session
 *       kept open, one {@code tools/call} at a time): the tool's own time on loopback. From the
 *       steps' recorded times (the worker's clock), for the runs enqueued in the measured window,
 *       each tool step's overhead is its recorded call minus the tool's own time (the probe's
 *       median) plus the time from its end to the next step's start; the first tool step of a run
 *       also carries the time from the model step's end to its start. A run's overheads add up to
 *       the time between its two model steps minus the tools' own time ({@link Run#overheads}).</li>
 *   <li>{@code pgbench-fixture <dir> <first owner> <last owner>}: one running run (leased by
 *       {@code pgbench}) on each of those owners' sessions, and {@code tool-step.sql}: a tool
 *       step's statements as the worker sends them, for pgbench.</li>
 * </ul>
 */
public final class ToolLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOOL = "demo__word_count";
    private static final String WORDS = "a b c";

    private ToolLoad() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "point" -> point(args[1], args[2]);
            case "run" -> run(Integer.parseInt(args[1]),
                    Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray(),
                    Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                    Integer.parseInt(args[6]), args[7], Path.of(args[8]));
            case "pgbench-fixture" -> pgbenchFixture(Path.of(args[1]), Integer.parseInt(args[2]),
                    Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0] + " (point, run or pgbench-fixture)");
        }
        System.exit(0);
    }

    private static void point(String modelUrl, String mcpUrl) throws SQLException {
        try (Connection db = BenchDb.connect();
             PreparedStatement model = db.prepareStatement("UPDATE llms SET request_url = ? WHERE model_code = 'llama3.2'"
                     + " AND factory_id = (SELECT id FROM llm_factory WHERE name = 'local') AND deleted_at IS NULL");
             PreparedStatement mcp = db.prepareStatement(
                     "UPDATE mcp_server SET url = ? WHERE name = 'demo' AND deleted_at IS NULL")) {
            model.setString(1, modelUrl);
            mcp.setString(1, mcpUrl);
            if (model.executeUpdate() != 1 || mcp.executeUpdate() != 1) {
                throw new IllegalStateException("the seeded local/llama3.2 or MCP server demo is missing: run `eryao bootstrap`");
            }
        }
    }

    // ---- run ------------------------------------------------------------------------------------

    private static void run(int port, int[] levels, int calls, int warmupSeconds, int seconds, int serveWarmupSeconds,
                            String mcpUrl, Path csv) throws Exception {
        int most = Arrays.stream(levels).max().orElseThrow();
        BenchApi api = BenchApi.withTimeouts(port, most);
        String input = input(calls);
        System.out.printf("each run: one model step asking for %d calls of %s {\"text\":\"%s\"}, then %d tool steps,"
                + " then the model's answer%n", calls, TOOL, WORDS, calls);
        if (serveWarmupSeconds > 0) {
            // A fresh serve JVM's JIT needs load before it is measured; this one is not reported.
            level(api, Math.min(most, 4), input, calls, serveWarmupSeconds, 0, mcpUrl, null, null);
        }
        Path summaryFile = csv.resolveSibling(csv.getFileName() + ".summary");
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(csv));
             PrintWriter summary = new PrintWriter(Files.newBufferedWriter(summaryFile))) {
            out.println("level,run,tool_index,gap_before_ms,call_ms,gap_after_ms,overhead_ms");
            for (int clients : levels) {
                level(api, clients, input, calls, warmupSeconds, seconds, mcpUrl, out, summary);
            }
        }
    }

    static String input(int calls) {
        StringBuilder text = new StringBuilder("bench tool steps:");
        for (int i = 0; i < calls; i++) {
            text.append(" call ").append(TOOL).append(" {\"text\": \"").append(WORDS).append("\"}");
        }
        return text.toString();
    }

    /** One level: {@code clients} runs at a time; reported when {@code out} is not null. */
    private static void level(BenchApi api, int clients, String input, int calls, int warmupSeconds, int seconds,
                              String mcpUrl, PrintWriter out, PrintWriter summary) throws Exception {
        long start = System.nanoTime();
        long measureFrom = start + Duration.ofSeconds(warmupSeconds).toNanos();
        long measureTo = measureFrom + Duration.ofSeconds(seconds).toNanos();
        List<Run> measured = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger performed = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int c = 1; c <= clients; c++) {
            int owner = c;
            threads.add(Thread.ofPlatform().name("tool-client-" + c).start(() -> {
                while (System.nanoTime() < measureTo) {
                    long enqueued = System.nanoTime();
                    try {
                        Run run = perform(api, owner, input);
                        performed.incrementAndGet();
                        if (enqueued >= measureFrom && out != null) {
                            String problem = run.problem(calls);
                            if (problem == null) {
                                measured.add(run);
                            } else {
                                failures.add(problem);
                            }
                        }
                    } catch (Exception e) {
                        failures.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                        sleep(200);
                    }
                }
            }));
        }
        // The tool's own time, beside the same load: the stand-in's tools/call on an open session.
        List<Double> own = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean probing = new AtomicBoolean(true);
        Thread probe = Thread.ofPlatform().name("tool-probe").start(() -> {
            try {
                McpProbe mcp = McpProbe.open(mcpUrl);
                while (probing.get()) {
                    double ms = mcp.callMillis("word_count", "{\"text\":\"" + WORDS + "\"}");
                    long now = System.nanoTime();
                    if (now >= measureFrom && now < measureTo) {
                        own.add(ms);
                    }
                    sleep(20);
                }
            } catch (Exception e) {
                failures.add("probe: " + e);
            }
        });
        for (Thread thread : threads) {
            thread.join();
        }
        probing.set(false);
        probe.join();
        if (out == null) {
            System.out.printf("warm-up: %d runs at %d at a time over %d s (not reported)%n",
                    performed.get(), clients, Duration.ofNanos(System.nanoTime() - start).toSeconds());
            if (!failures.isEmpty()) {
                System.out.println("  warm-up failures: " + failures.size() + ", first: " + failures.get(0));
            }
            return;
        }
        report(clients, calls, warmupSeconds, seconds, measured, failures, own, out, summary);
    }

    private static void report(int clients, int calls, int warmupSeconds, int seconds, List<Run> runs,
                               List<String> failures, List<Double> ownTimes, PrintWriter out, PrintWriter summary) {
        double[] own = sorted(ownTimes);
        double ownMedian = pct(own, 50);
        List<Double> overheads = new ArrayList<>();
        List<Double> callMs = new ArrayList<>();
        List<Double> gapBefore = new ArrayList<>();
        List<Double> gapAfter = new ArrayList<>();
        List<Double> perRun = new ArrayList<>();
        List<Double> modelRecord = new ArrayList<>();
        int index = 0;
        for (Run run : runs) {
            index++;
            double[] o = run.overheads(ownMedian);
            double sum = 0;
            for (int i = 0; i < o.length; i++) {
                overheads.add(o[i]);
                sum += o[i];
                callMs.add(run.call(i));
                gapAfter.add(run.gapAfter(i));
                if (i > 0) {
                    gapBefore.add(run.gapBefore(i));
                }
                out.printf(Locale.ROOT, "%d,%d,%d,%.3f,%.3f,%.3f,%.3f%n", clients, index, i + 1, run.gapBefore(i),
                        run.call(i), run.gapAfter(i), o[i]);
            }
            perRun.add(sum / o.length);
            modelRecord.add(run.gapBefore(0));
        }
        System.out.printf("%n%d runs at a time, %d s warm-up, %d s measured: %d runs, %d tool steps counted;"
                + " %d runs not counted (failed, or not as asked)%n", clients, warmupSeconds, seconds, runs.size(),
                overheads.size(), failures.size());
        if (!failures.isEmpty()) {
            System.out.println("  first problem: " + failures.get(0));
        }
        if (overheads.isEmpty() || own.length == 0) {
            System.out.println("  nothing measured");
            return;
        }
        double[] over = sorted(overheads);
        summary.printf(Locale.ROOT, "%d %.3f %.3f%n", clients, pct(over, 50), pct(over, 99));
        System.out.println(line("  OVERHEAD per tool step", over)
                + "  goal p99 <= 20 ms: " + (pct(over, 99) <= 20 ? "meets" : "MISSES"));
        System.out.println(line("  the tool's own time (direct tools/call)", own));
        System.out.println(line("  per run: overheads / calls", sorted(perRun)));
        System.out.println("  where it goes (recorded step times):");
        System.out.println(line("    the call, as the tool step records it", sorted(callMs)));
        System.out.println(line("    model step's end -> first tool step", sorted(modelRecord)));
        System.out.println(line("    tool step's end -> next tool step", sorted(gapBefore)));
        System.out.println(line("    tool step's end -> next step (all)", sorted(gapAfter)));
    }

    /**
     * A run's recorded steps: a model step asking for the calls, the tool steps, the model's answer.
     * Times in milliseconds from the steps' {@code started_at} and {@code finished_at}.
     */
    record Run(String taskId, List<Step> steps) {
        /** Why the run cannot be counted, or null. */
        String problem(int calls) {
            if (steps.size() != calls + 2) {
                return "run " + taskId + ": " + steps.size() + " steps, not " + (calls + 2);
            }
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                boolean model = i == 0 || i == steps.size() - 1;
                if (model != "model".equals(step.kind()) || step.attempt() != 1 || step.error()) {
                    return "run " + taskId + ": step " + i + " is a " + step.kind() + " step of attempt "
                            + step.attempt() + (step.error() ? ", an error" : "");
                }
            }
            return null;
        }

        Step tool(int i) {
            return steps.get(i + 1);
        }

        /** Tool step i's call as recorded (its start to its end: the tool's registration read, the MCP session, the call). */
        double call(int i) {
            return millis(tool(i).started(), tool(i).finished());
        }

        /** From the end of the step before tool step i to its start. */
        double gapBefore(int i) {
            return millis(steps.get(i).finished(), tool(i).started());
        }

        /** From the end of tool step i to the start of the step after it. */
        double gapAfter(int i) {
            return millis(tool(i).finished(), steps.get(i + 2).started());
        }

        /**
         * Each tool step's overhead: its recorded call minus the tool's own time, plus the gap after
         * it (its record, its events, the checks before the next step); the first also carries the
         * gap before it (the model step's record of the calls). So a run's overheads add up to the
         * time from the end of the model step that asked for the calls to the start of the next
         * model step, minus the tools' own time.
         */
        double[] overheads(double ownMillis) {
            int calls = steps.size() - 2;
            double[] overheads = new double[calls];
            for (int i = 0; i < calls; i++) {
                overheads[i] = call(i) - ownMillis + gapAfter(i) + (i == 0 ? gapBefore(0) : 0);
            }
            return overheads;
        }

        private static double millis(Instant from, Instant to) {
            return Duration.between(from, to).toNanos() / 1e6;
        }
    }

    record Step(String kind, int attempt, boolean error, Instant started, Instant finished) {
        static Step of(JsonNode step) {
            return new Step(step.path("kind").asText(), step.path("attempt").asInt(), step.path("error").asBoolean(),
                    BenchApi.instant(step.path("started_at")), BenchApi.instant(step.path("finished_at")));
        }
    }

    /** Enqueues a run offered the demo tools, waits for its end, and reads its steps. */
    private static Run perform(BenchApi api, int owner, String input) throws Exception {
        String body = JSON.writeValueAsString(java.util.Map.of("input", input, "tools", List.of("demo")));
        String task = api.send(api.request(owner, "/v1/agent/sessions/" + BenchIds.session(owner) + "/runs")
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), 202).path("task_id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        String status;
        do {
            sleep(50);
            status = api.send(api.request(owner, "/v1/agent/runs/" + task).GET().build(), 200).path("status").asText();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("run " + task + " still " + status + " after 120 s");
            }
        } while ("queued".equals(status) || "running".equals(status));
        if (!"succeeded".equals(status)) {
            throw new IllegalStateException("run " + task + " ended " + status);
        }
        List<Step> steps = new ArrayList<>();
        for (JsonNode step : api.steps(owner, task)) {
            steps.add(Step.of(step));
        }
        return new Run(task, steps);
    }

    /**
     * A client of the stand-in's MCP server that keeps one session open (streamable HTTP, plain
     * JSON-RPC over java.net.http): what calling the tool costs a caller on loopback, with nothing
     * of the backend's around it.
     */
    static final class McpProbe {
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        private final URI uri;
        private String session;
        private String version = "2025-03-26";
        private int id = 1;

        private McpProbe(URI uri) {
            this.uri = uri;
        }

        static McpProbe open(String url) throws Exception {
            McpProbe probe = new McpProbe(URI.create(url));
            HttpResponse<String> init = probe.post("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
                    + "{\"protocolVersion\":\"" + probe.version + "\",\"capabilities\":{},"
                    + "\"clientInfo\":{\"name\":\"eryao-bench\",\"version\":\"1\"}}}");
            probe.session = init.headers().firstValue("Mcp-Session-Id").orElse(null);
            JsonNode result = JSON.readTree(payload(init.body())).path("result");
            if (result.isMissingNode()) {
                throw new IllegalStateException("initialize answered " + init.statusCode() + ": " + init.body());
            }
            probe.version = result.path("protocolVersion").asText(probe.version);
            probe.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            return probe;
        }

        /** One tools/call, from sending it to the answer read whole; milliseconds. */
        double callMillis(String tool, String arguments) throws Exception {
            long started = System.nanoTime();
            HttpResponse<String> answer = post("{\"jsonrpc\":\"2.0\",\"id\":" + id++ + ",\"method\":\"tools/call\","
                    + "\"params\":{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}}");
            double ms = (System.nanoTime() - started) / 1e6;
            JsonNode result = JSON.readTree(payload(answer.body())).path("result");
            if (result.isMissingNode() || result.path("isError").asBoolean(false)) {
                throw new IllegalStateException("tools/call answered " + answer.statusCode() + ": " + answer.body());
            }
            return ms;
        }

        private HttpResponse<String> post(String body) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .header("MCP-Protocol-Version", version)
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (session != null) {
                request.header("Mcp-Session-Id", session);
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        /** The JSON of an answer sent as JSON or as server-sent events (its last {@code data:} line). */
        private static String payload(String body) {
            String json = body.strip();
            if (json.startsWith("{")) {
                return json;
            }
            String last = "{}";
            for (String line : body.split("\n")) {
                if (line.startsWith("data:")) {
                    last = line.substring(5).strip();
                }
            }
            return last;
        }
    }

    // ---- pgbench --------------------------------------------------------------------------------

    private static void pgbenchFixture(Path dir, int first, int last) throws Exception {
        Files.createDirectories(dir);
        UUID server;
        try (Connection db = BenchDb.connect()) {
            try (PreparedStatement runs = db.prepareStatement("""
                    INSERT INTO agent_run (id, session_id, owner_id, llm_id, status, input, attempts, idempotency_key,
                                           leased_by, lease_expires_at, started_at, scheduled_at, created_at, updated_at)
                    SELECT ('d0000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, %s, %s,
                           (SELECT id FROM llms WHERE model_code = 'llama3.2' AND is_active LIMIT 1), 'running',
                           'bench tool steps', 1, 'pgbench-' || i, 'pgbench', now() + interval '1 day', now(), now(),
                           now(), now()
                      FROM generate_series(?, ?) i""".formatted(BenchIds.sql(BenchIds.SESSION_PREFIX, "x")
                    .replace(":x", "i"), BenchIds.sql(BenchIds.OWNER_PREFIX, "x").replace(":x", "i")))) {
                runs.setInt(1, first);
                runs.setInt(2, last);
                runs.executeUpdate();
            }
            try (PreparedStatement find = db.prepareStatement(
                    "SELECT id FROM mcp_server WHERE name = 'demo' AND deleted_at IS NULL");
                 ResultSet row = find.executeQuery()) {
                row.next();
                server = row.getObject(1, UUID.class);
            }
        }
        Files.writeString(dir.resolve("tool-step.sql"), toolStepSql(first, last, server));
    }

    /**
     * A tool step's statements, as the worker sends them (read from PostgreSQL's log of
     * {@code BENCH_SQL_LOG=1 bench/tools}): the tool's registration read (autocommit), the step
     * recorded with the lease extended (one transaction), and the call's and the result's events,
     * each a transaction of the answer's writer ({@code synchronous_commit} off in it).
     */
    static String toolStepSql(int first, int last, UUID server) {
        String run = "('d0000000-0000-4000-8000-' || lpad(:i::text, 12, '0'))::uuid";
        String delta = """
                BEGIN;
                WITH quick AS (SELECT set_config('synchronous_commit', 'off', true)),
                run AS (
                    UPDATE agent_run SET lease_expires_at = now() + interval '1 day'
                    WHERE id = %1$s AND status = 'running' AND leased_by = 'pgbench' AND attempts = 1
                    RETURNING id, owner_id, session_id, cancel_requested_at IS NOT NULL AS stop),
                piece AS (
                    INSERT INTO agent_run_delta (id, run_id, owner_id, attempt, delta_index, kind, content, created_at)
                    SELECT gen_random_uuid(), id, owner_id, 1, :n%2$s, '%3$s', '%4$s', now() FROM run)
                SELECT stop FROM run, quick WHERE pg_notify('eryao_run', run.id || ' ' || run.session_id) IS NOT NULL;
                COMMIT;
                """;
        String call = "{\"id\":\"call_1_0\",\"tool\":\"demo__word_count\",\"arguments\":\"{\\\"text\\\":\\\"a b c\\\"}\"}";
        // "error": false with a space: pgbench would take :false for a variable.
        String result = "{\"id\":\"call_1_0\",\"tool\":\"demo__word_count\",\"result\":\"3\",\"error\": false}";
        return """
                \\set i random(%1$d, %2$d)
                \\set n random(1, 1000000000)
                select msr1_0.id,msr1_0.allowed_tools,msr1_0.approval_tools,msr1_0.created_at,msr1_0.is_enabled,\
                msr1_0.name,msr1_0.price_per_call,msr1_0.secret_header_name,msr1_0.secret_header_variable,\
                msr1_0.updated_at,msr1_0.url from mcp_server msr1_0 where msr1_0.deleted_at is null and msr1_0.id='%3$s';
                BEGIN;
                WITH run AS (
                    UPDATE agent_run SET lease_expires_at = now() + interval '1 day'
                    WHERE id = %4$s AND status = 'running' AND leased_by = 'pgbench' AND attempts = 1
                    RETURNING id, owner_id, session_id, cancel_requested_at IS NOT NULL AS stop),
                step AS (
                    INSERT INTO agent_run_step (id, run_id, owner_id, attempt, step_index, kind, content, tool_calls,
                        tool_name, tool_call_id, arguments, result, is_error, input_tokens, output_tokens,
                        usage_estimated, points_charged, started_at, finished_at, created_at)
                    SELECT gen_random_uuid(), id, owner_id, 1, :n, 'tool', NULL, NULL,
                        'demo__word_count', 'call_1_0', '{"text":"a b c"}', '3', false, NULL, NULL,
                        false, 0, now(), now(), now() FROM run)
                SELECT stop FROM run WHERE pg_notify('eryao_run', run.id || ' ' || run.session_id) IS NOT NULL;
                COMMIT;
                """.formatted(first, last, server, run)
                + delta.formatted(run, "", "tool_call", call)
                + delta.formatted(run, " + 1", "tool_result", result);
    }
}
