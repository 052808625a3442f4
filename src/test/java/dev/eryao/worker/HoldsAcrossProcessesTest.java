package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.auth.TokenIssuer;
import dev.eryao.core.config.Secret;
import dev.eryao.support.FakeLlmServer.Answer;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The money hole, closed across processes: hundreds of runs sent at once through two {@code serve}
 * processes (each with its worker) for an owner whose balance covers a few. Each accepted run holds
 * its most possible price, so no run is performed that is not paid in full, whatever the
 * interleaving; afterwards the ledger sums to the balance and no hold is left open.
 */
class HoldsAcrossProcessesTest {
    private static final int RUNS = 300;
    private static final long POINTS = 40;
    private static final long WAIT_SECONDS = 180;
    private static final int POLL_MS = 20;
    private final RunFixture fixture = new RunFixture();
    private final List<ServeProcess> processes = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void close() {
        processes.forEach(ServeProcess::close);
        http.close();
        fixture.close();
    }

    @Test
    void hundredsOfConcurrentRunsOnASmallBalanceAreEachPaidInFull() throws Exception {
        RunFixture.Owner owner = fixture.owner(POINTS);
        // 4,000 prompt tokens at 1.5 per 1,000: 6 points a run, while each holds about 10
        fixture.llm.byDefault(new Answer("ok", 4_000, 0));
        processes.addAll(RunFixture.startProcesses(fixture.processVariables(2, POLL_MS), "serve", "serve"));
        String token = new TokenIssuer(Secret.of(TestKeys.HS256_SECRET), null)
                .sign(owner.user().id(), "authenticated", Duration.ofHours(1), Instant.now());

        Map<Integer, Integer> statuses = new HashMap<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(32)) {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                ServeProcess api = processes.get(i % 2);
                String body = "{\"input\":\"run " + i + "\"}";
                answers.add(clients.submit(() -> http.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                                                + "/v1/agent/sessions/" + owner.sessionId() + "/runs"))
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
                .containsOnly(202, 402);
        int accepted = statuses.get(202);
        fixture.awaitFinished(accepted, Duration.ofSeconds(WAIT_SECONDS));

        long succeeded = fixture.count("SELECT count(*) FROM agent_run WHERE status = 'succeeded'");
        long balance = fixture.app.points().balance(owner.user().id());
        assertThat(statuses.get(402)).as("most are refused: %s", statuses).isGreaterThan(RUNS / 2);
        assertThat(succeeded).as("runs performed").isPositive();
        assertThat(fixture.llm.received())
                .as("no model call for a run that did not succeed")
                .hasSize((int) succeeded);
        assertThat(fixture.count("SELECT count(*) FROM agent_run WHERE status = 'succeeded'"
                        + " AND (charged_points <> cost_points OR cost_points <> 6 OR charge_capped)"))
                .as("every performed run paid its full price")
                .isZero();
        assertThat(balance).as("balance").isEqualTo(POINTS - 6 * succeeded).isNotNegative();
        assertThat(fixture.count(
                        "SELECT coalesce(sum(amount), 0) FROM points_ledger WHERE owner_id = ?",
                        owner.user().id()))
                .as("the ledger sums to the balance")
                .isEqualTo(balance);
        assertThat(fixture.count(
                        "SELECT held FROM points_balance WHERE owner_id = ?",
                        owner.user().id()))
                .as("no hold left open")
                .isZero();
        assertThat(fixture.count("SELECT count(*) FROM agent_run WHERE status IN ('queued', 'running')"))
                .isZero();
    }
}
