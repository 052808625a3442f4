package dev.eryao.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code OutageLoad <port> <seconds> <owners> <timeout-ms> <timeline-file>}: normal traffic (GET
 * session) and a /readyz poller while the script stops PostgreSQL for a while. When the load ends
 * it reads the outage's timeline (epoch ms, one line "stop stopped resuming resumed": asked to
 * stop, stopped, asked to start, started) from the timeline file and reports: during the outage,
 * what the answers were and the slowest one against the configured timeout; the answers of the
 * /readyz probes asked and answered while the server was down (a probe still waiting when the
 * server comes back may rightly say ready) and the slowest against the probe's bound; and after
 * the database is back, how long until requests and /readyz succeed again by themselves.
 */
public final class OutageLoad {
    private static final int CLIENTS = 8;
    private static final long READY_POLL_MS = 200;
    /** Slack over the connect timeout for the HTTP round trip and the request's own work. */
    private static final long LATENCY_SLACK_MS = 1_000;
    /** The server's bound on one /readyz probe (ReadinessCheck.BOUND). */
    private static final long READY_BOUND_MS = 2_000;

    private OutageLoad() {
    }

    public static void main(String[] args) throws Exception {
        FaultClient client = new FaultClient(Integer.parseInt(args[0]), Integer.parseInt(args[2]));
        long end = System.currentTimeMillis() + Integer.parseInt(args[1]) * 1000L;
        long timeoutMs = Long.parseLong(args[3]);
        List<FaultClient.Answer> answers = Collections.synchronizedList(new ArrayList<>());
        List<FaultClient.Answer> ready = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.currentTimeMillis() < end) {
                    answers.add(client.getSession(client.anyOwner()));
                }
            }));
        }
        threads.add(Thread.ofPlatform().start(() -> {
            while (System.currentTimeMillis() < end) {
                ready.add(client.send(client.request("/readyz").GET().build()));
                EnqueueStream.sleep(READY_POLL_MS);
            }
        }));
        for (Thread thread : threads) {
            thread.join();
        }
        String[] timeline = Files.readString(Path.of(args[4])).strip().split("\\s+");
        report(answers, ready, Long.parseLong(timeline[0]), Long.parseLong(timeline[1]), Long.parseLong(timeline[2]),
                Long.parseLong(timeline[3]), timeoutMs);
    }

    private static void report(List<FaultClient.Answer> answers, List<FaultClient.Answer> ready, long stop,
                               long stopped, long resuming, long resume, long timeoutMs) {
        List<FaultClient.Answer> during = between(answers, stop, resume);
        long slowest = during.stream().mapToLong(FaultClient.Answer::millis).max().orElse(0);
        long problems503 = during.stream().filter(a -> a.status() == 503 && a.isProblem()).count();
        long firstOkAfter = firstAfter(answers, resume, 200);
        long firstReadyAfter = firstAfter(ready, resume, 200);
        List<FaultClient.Answer> readyDuring = between(ready, stopped, resuming).stream()
                .filter(a -> a.startedMs() + a.millis() <= resuming).toList();
        long slowestReady = readyDuring.stream().mapToLong(FaultClient.Answer::millis).max().orElse(0);
        long lastBad = answers.stream().filter(a -> a.status() != 200).mapToLong(a -> a.startedMs() + a.millis())
                .max().orElse(resume);
        List<FaultClient.Answer> before = between(answers, 0, stop);
        System.out.printf("before: %d requests, statuses %s%n", before.size(), statuses(before));
        System.out.printf("outage (%d ms): %d requests, statuses %s; 503 problem+json: %d; slowest %d ms (timeout %d ms): %s%n",
                resume - stop, during.size(), statuses(during), problems503, slowest, timeoutMs,
                slowest <= timeoutMs + LATENCY_SLACK_MS ? "no hang past the timeout" : "HUNG PAST THE TIMEOUT");
        System.out.printf("readyz while the server was down: statuses %s (%s); slowest %d ms (bound %d ms): %s%n",
                statuses(readyDuring),
                readyDuring.isEmpty() ? "NO PROBE"
                        : readyDuring.stream().allMatch(a -> a.status() == 503) ? "not ready" : "WRONGLY READY",
                slowestReady, READY_BOUND_MS,
                slowestReady <= READY_BOUND_MS + LATENCY_SLACK_MS ? "within the bound" : "PAST THE BOUND");
        System.out.printf("recovery: first 200 %s ms and /readyz 200 %s ms after the database was back; "
                        + "last failed answer ended %d ms after; after that: statuses %s%n",
                firstOkAfter < 0 ? "NEVER" : String.valueOf(firstOkAfter),
                firstReadyAfter < 0 ? "NEVER" : String.valueOf(firstReadyAfter), lastBad - resume,
                statuses(between(answers, lastBad, Long.MAX_VALUE)));
    }

    private static List<FaultClient.Answer> between(List<FaultClient.Answer> answers, long from, long to) {
        synchronized (answers) {
            return answers.stream().filter(a -> a.startedMs() >= from && a.startedMs() < to).toList();
        }
    }

    private static long firstAfter(List<FaultClient.Answer> answers, long from, int status) {
        synchronized (answers) {
            return answers.stream().filter(a -> a.startedMs() >= from && a.status() == status)
                    .mapToLong(a -> a.startedMs() + a.millis() - from).min().orElse(-1);
        }
    }

    static Map<Integer, Long> statuses(List<FaultClient.Answer> answers) {
        Map<Integer, Long> counts = new TreeMap<>();
        answers.forEach(a -> counts.merge(a.status(), 1L, Long::sum));
        return counts;
    }
}
