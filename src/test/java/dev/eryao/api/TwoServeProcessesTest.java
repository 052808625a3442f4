package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.auth.TokenIssuer;
import dev.eryao.core.config.Secret;
import dev.eryao.services.PointsService;
import dev.eryao.support.ServeProcess;
import dev.eryao.support.TestDatabase;
import dev.eryao.support.TestKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scale-out: two {@code serve} processes (separate JVMs and pools) sharing the suite's database —
 * through PgBouncer in transaction mode under {@code bin/test-pooler}. Runs enqueued through both at
 * once, each idempotency key sent to both, are each stored exactly once.
 *
 * <p>The processes run no worker here (the suite's database holds other tests' runs); the
 * workers' half of scale-out is {@code worker.ScaleOutRunsTest}, on a database of its own.
 */
class TwoServeProcessesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEYS = 40;
    private static final int CLIENTS = 8;

    private static final List<ServeProcess> servers = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startTwoServers() throws Exception {
        try (ExecutorService starting = Executors.newFixedThreadPool(2)) {
            Future<ServeProcess> first = starting.submit(() -> ServeProcess.start());
            Future<ServeProcess> second = starting.submit(() -> ServeProcess.start());
            servers.add(first.get());
            servers.add(second.get());
        }
    }

    /** The last lines of a process's output: enough for the stack of an error just logged. */
    private static String tail(String output) {
        List<String> lines = List.of(output.split("\n"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    @AfterAll
    static void stopServers() {
        servers.forEach(ServeProcess::close);
    }

    @Test
    void runsEnqueuedThroughBothProcessesAreEachStoredOnceWhateverProcessAKeyReaches() throws Exception {
        UUID owner = UUID.randomUUID();
        var app = TestDatabase.get().app();
        app.points().grant(new PointsService.Change(owner, 1_000, "scale-out test", null, null, null));
        UUID sessionId = app.sessions()
                .create(new CurrentUser(owner, "authenticated"), "scale-out", dev.eryao.support.TestApi.freeModel())
                .id();
        String token = new TokenIssuer(Secret.of(TestKeys.HS256_SECRET), null)
                .sign(owner, "authenticated", Duration.ofHours(1), Instant.now());

        // Each key goes to both processes, from different clients, at the same time.
        ConcurrentHashMap<String, Set<String>> tasksByKey = new ConcurrentHashMap<>();
        List<Future<?>> calls = new ArrayList<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
            for (int k = 0; k < KEYS; k++) {
                String key = "key-" + k;
                for (ServeProcess server : servers) {
                    calls.add(clients.submit(() -> {
                        HttpResponse<String> answer = enqueue(server, sessionId, token, key);
                        // A refusal names the request id; the process's log says what happened to it.
                        assertThat(answer.statusCode())
                                .as(() -> answer.body() + "\nthe process's log:\n" + tail(server.output()))
                                .isEqualTo(202);
                        tasksByKey
                                .computeIfAbsent(key, any -> ConcurrentHashMap.newKeySet())
                                .add(JSON.readTree(answer.body())
                                        .path("task_id")
                                        .asText());
                        return null;
                    }));
                }
            }
            for (Future<?> call : calls) {
                call.get();
            }
        }

        assertThat(tasksByKey).hasSize(KEYS);
        assertThat(tasksByKey.values())
                .allSatisfy(tasks -> assertThat(tasks).as("one run per key").hasSize(1));
        Set<String> answered = new HashSet<>();
        tasksByKey.values().forEach(answered::addAll);
        assertThat(storedRuns(owner)).containsExactlyInAnyOrderElementsOf(answered);
        assertThat(count("SELECT count(*) FROM agent_chat_message WHERE owner_id = ?", owner))
                .isEqualTo(KEYS);
    }

    private HttpResponse<String> enqueue(ServeProcess server, UUID sessionId, String token, String key)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/agent/sessions/" + sessionId + "/runs"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"hello from " + key + "\"}"))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> storedRuns(UUID owner) throws Exception {
        try (Connection connection = TestDatabase.get().connection();
                PreparedStatement select = connection.prepareStatement("SELECT id FROM agent_run WHERE owner_id = ?")) {
            select.setObject(1, owner);
            List<String> ids = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
            return ids;
        }
    }

    private static long count(String sql, UUID owner) throws Exception {
        try (Connection connection = TestDatabase.get().connection();
                PreparedStatement select = connection.prepareStatement(sql)) {
            select.setObject(1, owner);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
