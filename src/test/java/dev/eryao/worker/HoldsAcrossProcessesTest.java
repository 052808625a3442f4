package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.ServeProcess;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

        Map<Integer, Integer> statuses = new RunsFromManyClients(
                        http, processes, RunFixture.processToken(owner), Duration.ofSeconds(60))
                .post(RUNS, 32, i -> owner.sessionId(), i -> "{\"input\":\"run " + i + "\"}");
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
        fixture.assertBooksClosed(owner, balance);
        assertThat(fixture.count("SELECT count(*) FROM agent_run WHERE status IN ('queued', 'running')"))
                .isZero();
    }
}
