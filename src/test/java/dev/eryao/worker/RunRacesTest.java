package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.App;
import dev.eryao.services.RunAccepted;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Races settled by the database, with committed transactions on separate connections: workers of
 * two applications (each with its own pool, as two processes would be) over one queue, and many
 * runs of one owner charged against a small balance at once.
 */
class RunRacesTest {
    private static final long WAIT_SECONDS = 120;
    private final RunFixture fixture = new RunFixture();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable each : opened.reversed()) {
            each.close();
        }
        fixture.close();
    }

    /** The fixture's worker in a second application with a pool of its own. */
    private Worker workerOfAnotherProcess(int concurrency) {
        App app = App.open(TestDatabase.get().settings().withDatabase(fixture.database.settings()));
        opened.add(app);
        return app.worker(
                fixture.settings(concurrency, 3),
                new dev.eryao.core.config.LlmSettings(
                        java.time.Duration.ofSeconds(5),
                        dev.eryao.core.config.LlmSettings.DEFAULT_MAX_OUTPUT_TOKENS,
                        java.util.Map.of()),
                fixture.clock);
    }

    @Test
    void twoWorkersRacingOverFiveHundredRunsCompleteEachExactlyOnce() throws Exception {
        RunFixture.Owner owner = fixture.owner(10_000);
        for (int i = 0; i < 500; i++) {
            fixture.enqueue(owner, "run " + i);
        }
        Worker first = fixture.worker(4, 3);
        opened.add(first);
        Worker second = workerOfAnotherProcess(4);

        first.start();
        second.start();
        fixture.awaitFinished(500, Duration.ofSeconds(WAIT_SECONDS));

        assertThat(fixture.count("SELECT count(*) FROM agent_run WHERE status = 'succeeded' AND attempts = 1"))
                .as(
                        "%s; runs that needed more: %s",
                        "every run succeeded at its first and only attempt",
                        fixture.strings(
                                "SELECT status || ' after ' || attempts || ': ' || coalesce(error, '') FROM agent_run WHERE attempts <> 1 OR status <> 'succeeded'"))
                .isEqualTo(500);
        assertThat(fixture.llm.received()).as("each run performed once").hasSize(500);
        assertThat(fixture.count(
                        "SELECT count(DISTINCT reference_id) FROM points_ledger WHERE reference_type = 'agent_run'"))
                .isEqualTo(500);
        assertThat(fixture.count("SELECT count(*) FROM points_ledger WHERE reference_type = 'agent_run'"))
                .isEqualTo(500);
        assertThat(fixture.count("SELECT count(*) FROM agent_chat_message WHERE role = 'assistant'"))
                .isEqualTo(500);
        assertThat(fixture.app.points().balance(owner.user().id())).isEqualTo(10_000 - 500 * 3);
        assertThat(fixture.strings("SELECT DISTINCT split_part(leased_by, '/', 1) FROM agent_run"))
                .containsOnlyNulls();
    }

    @Test
    void fiftyRunsOfOneOwnerWithASmallBalanceAreAcceptedOnlyAsFarAsTheirHoldsGoAndEachIsPaidInFull() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        List<RunAccepted> tasks = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < 50; i++) {
            try {
                tasks.add(fixture.enqueue(owner, "run " + i));
            } catch (dev.eryao.services.InsufficientPointsException e) {
                refused++;
            }
        }
        long hold = fixture.count("SELECT max(held_points) FROM agent_run");
        assertThat(fixture.count("SELECT min(held_points) FROM agent_run"))
                .isEqualTo(hold)
                .isPositive();
        assertThat(tasks).as("as many as 100 points can hold").hasSize((int) (100 / hold));
        assertThat(refused).isEqualTo(50 - tasks.size());
        // 4,000 input tokens at 1.5 points per 1,000: 6 points a run, within its hold
        fixture.llm.byDefault(new Answer("ok", 4_000, 0));
        Worker first = fixture.worker(8, 3);
        opened.add(first);
        Worker second = workerOfAnotherProcess(8);

        first.start();
        second.start();
        fixture.awaitFinished(tasks.size(), Duration.ofSeconds(WAIT_SECONDS));

        long balance = fixture.app.points().balance(owner.user().id());
        long ledgerSum = fixture.count(
                "SELECT coalesce(sum(amount), 0) FROM points_ledger WHERE owner_id = ?",
                owner.user().id());
        assertThat(fixture.count("SELECT count(*) FROM agent_run WHERE status = 'succeeded'"))
                .isEqualTo(tasks.size());
        assertThat(balance).isEqualTo(100 - 6L * tasks.size());
        assertThat(ledgerSum).as("the ledger sums to the balance").isEqualTo(balance);
        assertThat(fixture.count("SELECT count(*) FROM agent_run WHERE charged_points <> cost_points OR charge_capped"))
                .as("every run paid in full")
                .isZero();
        assertThat(fixture.count(
                        "SELECT held FROM points_balance WHERE owner_id = ?",
                        owner.user().id()))
                .as("no hold left open")
                .isZero();
        assertThat(fixture.count("SELECT count(*) FROM points_ledger WHERE balance_after < 0"))
                .isZero();
    }
}
