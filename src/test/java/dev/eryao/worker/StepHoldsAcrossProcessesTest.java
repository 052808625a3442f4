package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.provider.ToolCall;
import dev.eryao.support.FakeLlmServer.CallsTools;
import dev.eryao.support.ServeProcess;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
    private final ToolServers tools = new ToolServers(fixture);

    @AfterEach
    void close() {
        processes.forEach(ServeProcess::close);
        tools.close();
        http.close();
        fixture.close();
    }

    @Test
    void concurrentToolLoopsOfOneOwnerInTwoProcessesAreEachChargedTheirStepsAndNeverMore() throws Exception {
        String server = tools.register("demo", tools.standIn().url(), List.of("word_count"), List.of(), 1L);
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
        List<UUID> sessions = fixture.sessions(owner, RUNS);

        Map<Integer, Integer> statuses = new RunsFromManyClients(
                        http, processes, RunFixture.processToken(owner), Duration.ofSeconds(60))
                .post(
                        RUNS,
                        16,
                        sessions::get,
                        i -> "{\"input\": \"count " + i + "\", \"tools\": [\"" + server + "\"], \"max_steps\": 4}");
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
        fixture.assertBooksClosed(owner, balance);
        assertThat(fixture.count(
                        "SELECT coalesce(sum(points_charged), 0) FROM agent_run_step WHERE owner_id = ?",
                        owner.user().id()))
                .as("what the steps came to is what the owner paid")
                .isEqualTo(POINTS - balance);
        assertThat(fixture.count("SELECT count(*) FROM agent_run_step WHERE kind = 'model'"))
                .as("a step row for every model call made")
                .isEqualTo(fixture.llm.received().size());
    }
}
