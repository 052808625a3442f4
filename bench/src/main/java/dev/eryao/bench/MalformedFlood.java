package dev.eryao.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * {@code MalformedFlood <port> <seconds> <owners>}: normal traffic (GET session) alone for half the
 * time, then with a flood of malformed and oversized requests beside it. Reports each flood case's
 * statuses (a 500 anywhere is a failure) and the normal traffic's error rate in both halves.
 */
public final class MalformedFlood {
    private static final int NORMAL_CLIENTS = 4;
    private static final int FLOOD_CLIENTS = 4;
    private static final String JUNK_BODY = "x".repeat(1024 * 1024);

    private MalformedFlood() {
    }

    record Case(String name, Function<FaultClient, FaultClient.Answer> send) {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long half = Integer.parseInt(args[1]) * 500L;
        FaultClient client = new FaultClient(port, Integer.parseInt(args[2]));
        List<Case> cases = cases(port);
        List<FaultClient.Answer> calm = Collections.synchronizedList(new ArrayList<>());
        List<FaultClient.Answer> flooded = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean flooding = new AtomicBoolean();
        long end = System.currentTimeMillis() + 2 * half;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < NORMAL_CLIENTS; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.currentTimeMillis() < end) {
                    FaultClient.Answer answer = client.getSession(client.anyOwner());
                    (flooding.get() ? flooded : calm).add(answer);
                }
            }));
        }
        Thread.sleep(half);
        flooding.set(true);
        Map<String, Map<Integer, Long>> byCase = new ConcurrentHashMap<>();
        for (int f = 0; f < FLOOD_CLIENTS; f++) {
            int offset = f;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = offset; System.currentTimeMillis() < end; i++) {
                    Case each = cases.get(i % cases.size());
                    FaultClient.Answer answer = each.send().apply(client);
                    byCase.computeIfAbsent(each.name(), any -> new ConcurrentHashMap<>()).merge(answer.status(), 1L, Long::sum);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        long fiveHundreds = 0;
        for (Map.Entry<String, Map<Integer, Long>> each : new TreeMap<>(byCase).entrySet()) {
            System.out.printf("flood %-34s %s%n", each.getKey(), new TreeMap<>(each.getValue()));
            fiveHundreds += each.getValue().entrySet().stream().filter(e -> e.getKey() >= 500).mapToLong(Map.Entry::getValue).sum();
        }
        long floodTotal = byCase.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
        System.out.printf("flood: %d requests, %d answered 5xx (status 0: no answer read, e.g. the server answered 413"
                + " and closed while the client was still sending)%n", floodTotal, fiveHundreds);
        System.out.printf("normal traffic alone: %d requests, error rate %s; beside the flood: %d requests, error rate %s%n",
                calm.size(), errorRate(calm), flooded.size(), errorRate(flooded));
    }

    private static String errorRate(List<FaultClient.Answer> answers) {
        long errors = answers.stream().filter(a -> a.status() != 200).count();
        return "%.4f%% (%d)".formatted(answers.isEmpty() ? 0.0 : 100.0 * errors / answers.size(), errors);
    }

    private static List<Case> cases(int port) {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        List<Case> cases = new ArrayList<>();
        cases.add(post("malformed JSON", "{\"title\": ", "application/json"));
        cases.add(post("wrong JSON types", "{\"title\": [1, 2, {\"a\": null}]}", "application/json"));
        cases.add(post("unknown fields", "{\"title\": \"t\", \"owner_id\": 1, \"x\": {}}", "application/json"));
        cases.add(post("deeply nested JSON", deep, "application/json"));
        cases.add(post("huge number", "{\"title\": 1" + "0".repeat(5000) + "}", "application/json"));
        cases.add(post("oversized body (1 MiB)", JUNK_BODY, "application/json"));
        cases.add(post("wrong media type", "title=x", "application/x-www-form-urlencoded"));
        cases.add(post("invalid UTF-8", new String(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
                StandardCharsets.ISO_8859_1), "application/json"));
        cases.add(post("empty body", "", "application/json"));
        cases.add(new Case("run input too long", c -> c.send(c.request("/v1/agent/sessions/" + BenchIds.session(1) + "/runs")
                .header("Authorization", "Bearer " + c.token(1)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"" + "y".repeat(40_000) + "\"}")).build())));
        cases.add(get("bad path UUID", "/v1/agent/sessions/not-a-uuid", true));
        cases.add(get("bad limit and cursor", "/v1/agent/sessions?limit=-5&cursor=%25zz", true));
        cases.add(get("bad percent-encoding", "/v1/agent/sessions/%zz%ff", true));
        cases.add(get("no such route", "/v1/../../etc/passwd", true));
        cases.add(new Case("garbage bearer token", c -> c.send(c.request("/v1/agent/sessions")
                .header("Authorization", "Bearer a.b.c").GET().build())));
        cases.add(new Case("not a bearer header", c -> c.send(c.request("/v1/agent/sessions")
                .header("Authorization", "Basic Zm9vOmJhcg==").GET().build())));
        cases.add(new Case("oversized header (64 KiB)", c -> c.send(c.request("/v1/agent/sessions")
                .header("Authorization", "Bearer " + c.token(1)).header("X-Junk", "z".repeat(64 * 1024)).GET().build())));
        cases.add(new Case("raw garbage request line", c -> raw(port, "\u0001\u0002GARBAGE / HTTP/9\r\n\r\n")));
        cases.add(new Case("raw lying Content-Length", c -> raw(port, "POST /v1/agent/sessions HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer " + c.token(1) + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: 99999999\r\nConnection: close\r\n\r\n{\"title\":\"x\"}")));
        return cases;
    }

    private static Case post(String name, String body, String contentType) {
        return new Case(name, c -> c.send(c.request("/v1/agent/sessions")
                .header("Authorization", "Bearer " + c.token(1)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.ISO_8859_1)).build()));
    }

    private static Case get(String name, String path, boolean authenticated) {
        return new Case(name, c -> {
            try {
                HttpRequest.Builder request = c.request(path);
                if (authenticated) {
                    request.header("Authorization", "Bearer " + c.token(1));
                }
                return c.send(request.GET().build());
            } catch (IllegalArgumentException refusedByTheClient) {
                return raw(port(c), "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            }
        });
    }

    private static int port(FaultClient c) {
        return Integer.parseInt(c.request("/").build().uri().getPort() + "");
    }

    /** Bytes the Java client would refuse to send; the status from the answer's first line, 0 if none. */
    private static FaultClient.Answer raw(int port, String bytes) {
        long started = System.currentTimeMillis();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) FaultClient.REQUEST_LIMIT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            int status = head.startsWith("HTTP/1.1 ") ? Integer.parseInt(head.substring(9, 12)) : 0;
            return new FaultClient.Answer(started, System.currentTimeMillis() - started, status, "", head);
        } catch (Exception e) {
            return new FaultClient.Answer(started, System.currentTimeMillis() - started, 0, "", e.toString());
        }
    }
}
