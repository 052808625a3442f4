package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.auth.TokenIssuer;
import dev.eryao.core.config.Secret;
import dev.eryao.mcp.McpHttpServer;
import dev.eryao.mcp.StandInMcpServer;
import dev.eryao.provider.ToolCall;
import dev.eryao.services.McpServerDraft;
import dev.eryao.support.FakeLlmServer.CallsTools;
import dev.eryao.support.ServeProcess;
import dev.eryao.support.TestKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Paid step by step, across processes: many runs of one owner, each a tool loop whose every model
 * step raises its hold, performed at once by two {@code serve} processes for a balance that covers
 * a few steps. Whatever the interleaving, each run is charged exactly what its recorded steps
 * came to, the balance never goes below zero, the ledger sums to it and no hold is left open.
 */
class StepHoldsAcrossProcessesTest {
    private static final int RUNS = 40;
    private static final long POINTS = 120;
    private static final Duration WAIT = Duration.ofSeconds(180);

    private final RunFixture fixture = new RunFixture();
    private final List<ServeProcess> processes = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private McpHttpServer standIn;

    @AfterEach
    void close() {
        processes.forEach(ServeProcess::close);
        if (standIn != null) {
            standIn.close();
        }
        http.close();
        fixture.close();
    }

    @Test
    void concurrentToolLoopsOfOneOwnerInTwoProcessesAreEachChargedTheirStepsAndNeverMore() throws Exception {
        standIn = StandInMcpServer.start(0);
        String server = "demo-" + UUID.randomUUID().toString().substring(0, 8);
        fixture.app
                .mcpServers()
                .create(new McpServerDraft(
                        server, standIn.url(), List.of("word_count"), List.of(), 1L, null, null, null));
        RunFixture.Owner owner = fixture.owner(POINTS);
        // Every model step calls the tool again: each run goes on until max_steps or its owner's points stop it.
        fixture.llm.byDefault(new CallsTools(
                "",
                List.of(new ToolCall("call_1", server + "__word_count", "{\"text\": \"a b c\"}")),
                8,
                1000,
                100,
                null));
        processes.addAll(RunFixture.startProcesses(fixture.processVariables(4, 20), "serve", "serve"));
        String token = new TokenIssuer(Secret.of(TestKeys.HS256_SECRET), null)
                .sign(owner.user().id(), "authenticated", Duration.ofHours(1), Instant.now());
        List<UUID> sessions = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            sessions.add(fixture.app
                    .sessions()
                    .create(owner.user(), "chat " + i, fixture.modelId)
                    .id());
        }

        Map<Integer, Integer> statuses = new HashMap<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(16)) {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                ServeProcess api = processes.get(i % 2);
                String body = "{\"input\": \"count " + i + "\", \"tools\": [\"" + server + "\"], \"max_steps\": 4}";
                URI uri = URI.create(
                        "http://127.0.0.1:" + api.port() + "/v1/agent/sessions/" + sessions.get(i) + "/runs");
                answers.add(clients.submit(() -> http.send(
                                HttpRequest.newBuilder(uri)
                                        .timeout(Duration.ofSeconds(60))
                                        .header("Authorization", "Bearer " + token)
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode()));
            }
            for (Future<Integer> answer : answers) {
                statuses.merge(answer.get(), 1, Integer::sum);
            }
        }
        assertThat(statuses.keySet())
                .as("each run accepted or refused for points: %s", statuses)
                .containsOnly(202, 402)
                .contains(202);
        fixture.awaitFinished(statuses.get(202), WAIT);

        assertThat(fixture.strings("""
                        SELECT r.id || ': charged ' || coalesce(r.charged_points, 0) || ', steps '
                            || coalesce((SELECT sum(s.points_charged) FROM agent_run_step s WHERE s.run_id = r.id), 0)
                        FROM agent_run r
                        WHERE coalesce(r.charged_points, 0)
                            <> coalesce((SELECT sum(s.points_charged) FROM agent_run_step s WHERE s.run_id = r.id), 0)
                        """))
                .as("each run charged exactly what its steps came to")
                .isEmpty();
        assertThat(fixture.strings("SELECT DISTINCT stop_reason FROM agent_run WHERE status = 'succeeded'"))
                .as("the loops ended by their limits")
                .isSubsetOf("max_steps", "insufficient_points");
        assertThat(statuses.getOrDefault(402, 0)
                        + fixture.count("SELECT count(*) FROM agent_run WHERE stop_reason = 'insufficient_points'"))
                .as("the balance could not pay for every step asked for: the holds were put to the test")
                .isPositive();
        long balance = fixture.app.points().balance(owner.user().id());
        assertThat(balance).isNotNegative();
        assertThat(fixture.count(
                        "SELECT coalesce(sum(amount), 0) FROM points_ledger WHERE owner_id = ?",
                        owner.user().id()))
                .as("the ledger sums to the balance")
                .isEqualTo(balance);
        assertThat(fixture.count(
                        "SELECT coalesce(sum(points_charged), 0) FROM agent_run_step WHERE owner_id = ?",
                        owner.user().id()))
                .as("what the steps came to is what the owner paid")
                .isEqualTo(POINTS - balance);
        assertThat(fixture.count(
                        "SELECT held FROM points_balance WHERE owner_id = ?",
                        owner.user().id()))
                .as("no hold left open")
                .isZero();
        assertThat(fixture.count("SELECT count(*) FROM agent_run_step WHERE kind = 'model'"))
                .as("a step row for every model call made")
                .isEqualTo(fixture.llm.received().size());
    }
}
