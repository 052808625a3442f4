package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunContext;
import dev.eryao.services.RunExecutionService;
import dev.eryao.support.FakeLlmServer.Streamed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The claim takes turns between owners: one owner's backlog cannot hold another owner's run back
 * by more than the runs already being performed, while the backlog's own runs keep their order.
 */
class FairClaimTest {
    private final RunFixture fixture = new RunFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void anotherOwnersRunIsClaimedRightAfterTheFirstOfABacklogWhichKeepsItsOrder() throws Exception {
        RunFixture.Owner busy = fixture.owner(1_000_000);
        RunFixture.Owner other = fixture.owner(1_000);
        List<UUID> backlog = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            backlog.add(fixture.enqueueInNewSession(busy, "backlog " + i).taskId());
        }
        RunAccepted late = fixture.enqueue(other, "my only question");

        RunExecutionService runs = fixture.app.runExecution(fixture.settings(1, 1));
        List<UUID> claimed = new ArrayList<>();
        for (RunContext run;
                (run = runs.claimNext("worker", fixture.clock.instant()).orElse(null)) != null; ) {
            claimed.add(run.runId());
        }

        assertThat(claimed).hasSize(31);
        assertThat(claimed.indexOf(late.taskId()))
                .as("the other owner's run comes second, not 31st")
                .isEqualTo(1);
        assertThat(claimed.stream().filter(backlog::contains).toList())
                .as("the backlog in the order it was queued")
                .isEqualTo(backlog);
    }

    @Test
    void twoHundredRunsOfOneOwnerHoldAnotherOwnersRunBackByNoMoreThanTheRunsBeingPerformed() throws Exception {
        int workers = 4;
        RunFixture.Owner busy = fixture.owner(1_000_000);
        RunFixture.Owner other = fixture.owner(1_000);
        fixture.llm.byDefault(new Streamed(List.of("a ", "short ", "answer"), Duration.ofMillis(40), 10, 3));
        try (Worker worker = fixture.worker(workers, 1)) {
            for (int i = 0; i < 200; i++) {
                fixture.enqueueInNewSession(busy, "backlog " + i);
            }
            worker.start();
            while (fixture.count("SELECT count(*) FROM agent_run WHERE status = 'succeeded'") < 8) {
                Thread.sleep(20);
            }
            RunAccepted late = fixture.enqueue(other, "my only question");
            fixture.awaitEnded(201, Duration.ofMinutes(3));

            long overtaking = fixture.count("""
                    SELECT count(*) FROM agent_run a, agent_run b
                    WHERE b.id = ? AND a.owner_id <> b.owner_id
                      AND a.started_at > b.created_at AND a.started_at < b.started_at""", late.taskId());
            assertThat(overtaking)
                    .as("backlog runs started after the other owner's run was queued and before it")
                    .isLessThanOrEqualTo(workers);
            long waitedMs = fixture.count(
                    "SELECT (extract(epoch FROM started_at - created_at) * 1000)::bigint"
                            + " FROM agent_run WHERE id = ?",
                    late.taskId());
            System.out.printf(
                    "FairClaimTest: the other owner's run waited %d ms behind a backlog of 200 with %d workers%n",
                    waitedMs, workers);
        }
    }
}
