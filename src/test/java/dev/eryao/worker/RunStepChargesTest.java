package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.provider.Completion;
import dev.eryao.provider.ToolCall;
import dev.eryao.services.AttemptCheck;
import dev.eryao.services.ModelDraft;
import dev.eryao.services.PointsAccountView;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunContext;
import dev.eryao.services.RunExecutionService;
import dev.eryao.services.RunPrice;
import dev.eryao.services.RunService;
import dev.eryao.services.RunTotals;
import dev.eryao.services.StepView;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.CallsTools;
import dev.eryao.support.FakeLlmServer.Failure;
import dev.eryao.support.ScriptedMcpServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * However a run that recorded priced steps ends — its lease lost on its last attempt, failed for
 * good, its session deleted, an {@code interrupt} sent after it, a cancel, between steps or between
 * attempts — it is charged exactly what its recorded steps were, at most its hold, with one ledger
 * debit, and the rest of its hold is given back; the balance never goes below zero. Against the
 * real database, with the loopback model (and a scripted tool server to hold a run between steps).
 */
class RunStepChargesTest {
    private static final long POINTS = 10_000;
    private static final String DEAD_WORKER = "dead worker";

    private final RunFixture fixture = new RunFixture();
    private final RunPrice price = RunFixture.PRICE;
    /** What each model step of these runs is priced: 1,000 tokens in, 1,000 out. */
    private final long stepPrice = price.price(1000, 1000);

    private final ToolServers tools = new ToolServers(fixture);

    @AfterEach
    void close() {
        tools.close();
        fixture.close();
    }

    @Test
    void aRunThatRecordedTwoPricedStepsAndLostItsLeaseOnItsLastAttemptIsChargedExactlyThem() throws Exception {
        RunFixture.Owner owner = fixture.owner(POINTS);
        RunExecutionService runs = fixture.app.runExecution(fixture.settings(1, 1));
        RunAccepted task = fixture.enqueue(owner, "go");
        RunContext run = runs.claimNext(DEAD_WORKER, fixture.clock.instant()).orElseThrow();
        RunTotals totals = twoPricedSteps(runs, run);
        assertThat(fixture.account(owner).held())
                .as("the hold was raised above what the steps used")
                .isGreaterThan(2 * stepPrice);

        fixture.clock.advance(Duration.ofSeconds(RunFixture.LEASE_SECONDS + 1));
        assertThat(new LeaseRescuer(runs, fixture.clock).runOnce()).containsExactly(task.taskId());

        assertThat(status(task)).isEqualTo("failed");
        assertThat(totals.owed()).isEqualTo(2 * stepPrice);
        assertChargedExactly(owner, task, 2 * stepPrice);
    }

    @Test
    void aRescuedRunWhoseStopWasRequestedIsChargedItsStepsAndOneWithAttemptsLeftKeepsItsHold() throws Exception {
        RunFixture.Owner owner = fixture.owner(POINTS);
        RunFixture.Owner retried = fixture.owner(POINTS);
        RunExecutionService runs = fixture.app.runExecution(fixture.settings(1, 3));
        RunAccepted stopped = fixture.enqueue(owner, "go");
        RunContext first = runs.claimNext(DEAD_WORKER, fixture.clock.instant()).orElseThrow();
        twoPricedSteps(runs, first);
        fixture.app.runs().cancel(owner.user(), stopped.taskId());
        RunAccepted again = fixture.enqueue(retried, "go");
        RunContext second = runs.claimNext(DEAD_WORKER, fixture.clock.instant()).orElseThrow();
        twoPricedSteps(runs, second);
        long held = fixture.account(retried).held();

        fixture.clock.advance(Duration.ofSeconds(RunFixture.LEASE_SECONDS + 1));
        assertThat(new LeaseRescuer(runs, fixture.clock).runOnce())
                .containsExactlyInAnyOrder(stopped.taskId(), again.taskId());

        assertThat(status(stopped)).isEqualTo("cancelled");
        assertChargedExactly(owner, stopped, 2 * stepPrice);
        assertThat(status(again)).isEqualTo("queued");
        assertThat(fixture.account(retried).balance())
                .as("queued again: nothing charged yet")
                .isEqualTo(POINTS);
        assertThat(fixture.account(retried).held()).as("it keeps its hold").isEqualTo(held);
        assertThat(debits(retried)).isZero();
    }

    @Test
    void aRunThatFailsForGoodAfterTwoStepsIsChargedExactlyThem() throws Exception {
        RunFixture.Owner owner = fixture.owner(POINTS);
        fixture.llm.then(
                calls("call_1", "lookup"),
                calls("call_2", "lookup"),
                new Failure(400, "{\"error\":{\"message\":\"bad request\"}}"));
        RunAccepted task = fixture.enqueue(owner, "go");

        assertThat(fixture.performDue()).isEqualTo(1);

        assertThat(status(task)).isEqualTo("failed");
        assertThat(fixture.strings(
                        "SELECT kind FROM agent_run_step WHERE run_id = ? ORDER BY step_index", task.taskId()))
                .containsExactly("model", "tool", "model", "tool");
        assertChargedExactly(owner, task, 2 * stepPrice);
    }

    @Test
    void aRunWhoseModelLeftTheCatalogBeforeItsRetryFailsChargedTheStepsItsFirstAttemptRecorded() throws Exception {
        RunFixture.Owner owner = fixture.owner(POINTS);
        RunAccepted task = queuedForRetryAfterTwoSteps(owner);
        fixture.app
                .catalog()
                .updateModel(fixture.modelId, new ModelDraft(null, null, null, null, null, null, null, false));
        fixture.clock.advance(Duration.ofMillis(RunFixture.BACKOFF_MS));

        assertThat(fixture.performDue()).isEqualTo(1);

        assertThat(status(task)).isEqualTo("failed");
        assertChargedExactly(owner, task, 2 * stepPrice);
    }

    @Test
    void aSessionDeletedBetweenStepsEndsTheRunChargedItsSteps() throws Exception {
        RunFixture.Owner owner = fixture.owner(POINTS);
        RunAccepted task =
                heldInItsSecondToolCall(owner, () -> fixture.app.sessions().delete(owner.user(), owner.sessionId()));

        assertThat(status(task)).isEqualTo("cancelled");
        assertChargedExactly(owner, task, 2 * stepPrice);
    }

    @Test
    void anInterruptSentBetweenStepsEndsTheRunChargedItsStepsAndTheNewRunGoesNext() throws Exception {
        RunFixture.Owner owner = fixture.owner(POINTS);
        RunAccepted[] next = new RunAccepted[1];
        RunAccepted task =
                heldInItsSecondToolCall(owner, () -> next[0] = interrupt(owner), new Answer("instead", 10, 3));

        assertThat(status(task)).isEqualTo("cancelled");
        assertThat(status(next[0])).isEqualTo("succeeded");
        assertRunCharged(owner, task, 2 * stepPrice);
        long newRun = price.price(10, 3);
        assertRunCharged(owner, next[0], newRun);
        assertBooks(owner, 2 * stepPrice + newRun);
    }

    @Test
    void aSessionDeletedBetweenAttemptsEndsTheQueuedRunChargedTheStepsItRecorded() throws Exception {
        RunFixture.Owner owner = fixture.owner(POINTS);
        RunAccepted task = queuedForRetryAfterTwoSteps(owner);

        fixture.app.sessions().delete(owner.user(), owner.sessionId());

        assertThat(status(task)).isEqualTo("cancelled");
        assertChargedExactly(owner, task, 2 * stepPrice);
    }

    @Test
    void anInterruptSentBetweenAttemptsEndsTheQueuedRunChargedTheStepsItRecorded() throws Exception {
        RunFixture.Owner owner = fixture.owner(POINTS);
        RunAccepted task = queuedForRetryAfterTwoSteps(owner);

        RunAccepted next = interrupt(owner);

        assertThat(status(task)).isEqualTo("cancelled");
        assertRunCharged(owner, task, 2 * stepPrice);
        assertThat(fixture.account(owner).balance()).isEqualTo(POINTS - 2 * stepPrice);
        assertThat(fixture.account(owner).held())
                .as("only the new run's hold is left")
                .isEqualTo(fixture.count("SELECT held_points FROM agent_run WHERE id = ?", next.taskId()));
    }

    @Test
    void aCancelBetweenAttemptsEndsTheQueuedRunChargedTheStepsItRecorded() throws Exception {
        RunFixture.Owner owner = fixture.owner(POINTS);
        RunAccepted task = queuedForRetryAfterTwoSteps(owner);

        fixture.app.runs().cancel(owner.user(), task.taskId());

        assertThat(status(task)).isEqualTo("cancelled");
        assertChargedExactly(owner, task, 2 * stepPrice);
    }

    @Test
    void stepsThatCameToMoreThanTheHoldAreChargedTheHoldAndNeverTheOwnersOtherPoints() throws Exception {
        RunFixture.Owner owner = fixture.owner(POINTS);
        RunAccepted task = fixture.enqueue(owner, "go");
        long held = fixture.count("SELECT held_points FROM agent_run WHERE id = ?", task.taskId());
        assertThat(held).isPositive();
        // No worker records more than the hold's rest; a row written by hand stands for a bug that did.
        fixture.execute(
                "INSERT INTO agent_run_step (run_id, owner_id, attempt, step_index, kind, points_charged, started_at,"
                        + " finished_at) VALUES (?, ?, 1, 0, 'model', ?, now(), now())",
                task.taskId(),
                owner.user().id(),
                held + 1_000);

        fixture.app.runs().cancel(owner.user(), task.taskId());

        assertChargedExactly(owner, task, held);
        assertThat(fixture.count(
                        "SELECT CASE WHEN charge_capped THEN 1 ELSE 0 END FROM agent_run WHERE id = ?", task.taskId()))
                .isEqualTo(1);
    }

    /** Two model steps priced {@link #stepPrice}, each asking for a tool, each call answered (free), as a worker records them. */
    private RunTotals twoPricedSteps(RunExecutionService runs, RunContext run) {
        RunTotals totals = run.totals();
        for (String id : List.of("call_1", "call_2")) {
            Instant now = fixture.clock.instant();
            long needed = totals.owed() + price.hold(1000);
            if (needed > totals.heldPoints()) {
                assertThat(runs.raiseHold(run, DEAD_WORKER, totals.heldPoints(), needed, now))
                        .isEqualTo(RunExecutionService.Raise.RAISED);
                totals = totals.holding(needed);
            }
            Completion completion = new Completion(
                    "", 1000, 1000, "tool_calls", false, false, List.of(new ToolCall(id, "lookup", "{}")));
            totals = runs.recordModelStep(
                            run,
                            DEAD_WORKER,
                            completion,
                            List.of(new StepView.ToolCallView(id, "lookup", "{}")),
                            totals,
                            now,
                            now)
                    .orElseThrow();
            AttemptCheck check = runs.recordToolStep(
                    run, DEAD_WORKER, totals, "lookup", id, "{}", "no such tool", true, 0, now, now);
            assertThat(check.claimHeld()).isTrue();
            totals = totals.plusToolStep(0);
        }
        return totals;
    }

    /** A run whose first attempt recorded two priced steps and then failed retryably: queued, holding. */
    private RunAccepted queuedForRetryAfterTwoSteps(RunFixture.Owner owner) throws Exception {
        fixture.llm.then(
                calls("call_1", "lookup"),
                calls("call_2", "lookup"),
                new Failure(503, "{\"error\":{\"message\":\"overloaded\"}}"));
        RunAccepted task = fixture.enqueue(owner, "go");
        assertThat(fixture.performDue()).isEqualTo(1);
        assertThat(status(task)).isEqualTo("queued");
        assertThat(fixture.count("SELECT sum(points_charged) FROM agent_run_step WHERE run_id = ?", task.taskId()))
                .isEqualTo(2 * stepPrice);
        assertThat(fixture.account(owner).balance())
                .as("nothing charged while it may be retried")
                .isEqualTo(POINTS);
        assertThat(fixture.account(owner).held()).isGreaterThan(2 * stepPrice);
        return task;
    }

    /**
     * Performs a run whose model calls a tool twice (two priced model steps); while the second call
     * is in flight (the first model step and its tool step, and the second model step, recorded),
     * {@code meanwhile} runs; then the worker goes on until no run is due. {@code after}: replies
     * for runs that come after it.
     */
    private RunAccepted heldInItsSecondToolCall(RunFixture.Owner owner, Runnable meanwhile, Answer... after)
            throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch inSecondCall = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ScriptedMcpServer scripted =
                tools.scripted(cursor -> Map.of("tools", List.of(ScriptedMcpServer.tool("slow"))), request -> {
                    if (calls.incrementAndGet() == 2) {
                        inSecondCall.countDown();
                        try {
                            release.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return ScriptedMcpServer.result(
                            request, Map.of("content", List.of(Map.of("type", "text", "text", "done"))));
                });
        String server = tools.register("tools", scripted.url(), List.of("slow"), List.of(), 0L);
        fixture.llm.then(calls("call_1", server + "__slow"), calls("call_2", server + "__slow"));
        for (Answer reply : after) {
            fixture.llm.then(reply);
        }
        RunAccepted task = fixture.enqueue(
                owner, new RunService.NewRun("go", null, null, null, null, null, null, List.of(server)));

        CompletableFuture<Integer> performing = CompletableFuture.supplyAsync(fixture::performDue);
        try {
            assertThat(inSecondCall.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(fixture.count(
                            "SELECT count(*) FROM agent_run_step WHERE run_id = ? AND kind = 'model'", task.taskId()))
                    .isEqualTo(2);
            meanwhile.run();
            assertThat(performing.get(60, TimeUnit.SECONDS)).isEqualTo(1 + after.length);
        } finally {
            release.countDown();
        }
        return task;
    }

    private RunAccepted interrupt(RunFixture.Owner owner) {
        return fixture.enqueue(owner, new RunService.NewRun("instead", null, "interrupt", null, null));
    }

    private static CallsTools calls(String id, String tool) {
        return new CallsTools("", List.of(new ToolCall(id, tool, "{}")), 4, 1000, 1000, null);
    }

    /** The owner's only run was charged exactly {@code charged}; their books show it and nothing else. */
    private void assertChargedExactly(RunFixture.Owner owner, RunAccepted task, long charged) throws Exception {
        assertRunCharged(owner, task, charged);
        assertBooks(owner, charged);
    }

    /** The run was charged {@code charged}: on the run, and in one ledger debit naming it. */
    private void assertRunCharged(RunFixture.Owner owner, RunAccepted task, long charged) throws Exception {
        assertThat(fixture.count("SELECT coalesce(charged_points, -1) FROM agent_run WHERE id = ?", task.taskId()))
                .as("charged_points of the run")
                .isEqualTo(charged);
        assertThat(fixture.count("SELECT held_points FROM agent_run WHERE id = ?", task.taskId()))
                .as("an ended run's hold stays recorded")
                .isGreaterThanOrEqualTo(charged);
        assertThat(fixture.count(
                        "SELECT count(*) FROM points_ledger WHERE owner_id = ? AND reference_id = ? AND amount < 0",
                        owner.user().id(),
                        task.taskId()))
                .as("one debit for the run")
                .isEqualTo(1);
        assertThat(fixture.count(
                        "SELECT -amount FROM points_ledger WHERE owner_id = ? AND reference_id = ?"
                                + " AND reference_type = 'agent_run' AND idempotency_key = ?",
                        owner.user().id(),
                        task.taskId(),
                        "agent_run:" + task.taskId()))
                .isEqualTo(charged);
    }

    /** The owner was charged {@code charged} in all, holds nothing, and the ledger adds up to the balance. */
    private void assertBooks(RunFixture.Owner owner, long charged) throws Exception {
        PointsAccountView account = fixture.account(owner);
        assertThat(account.balance()).isEqualTo(POINTS - charged).isNotNegative();
        assertThat(account.held()).isZero();
        assertThat(fixture.count(
                        "SELECT sum(amount) FROM points_ledger WHERE owner_id = ?",
                        owner.user().id()))
                .isEqualTo(account.balance());
        assertThat(fixture.count(
                        "SELECT count(*) FROM points_ledger WHERE owner_id = ? AND balance_after < 0",
                        owner.user().id()))
                .isZero();
        assertThat(fixture.count(
                        "SELECT balance_after FROM points_ledger WHERE owner_id = ? ORDER BY created_at DESC, id DESC"
                                + " LIMIT 1",
                        owner.user().id()))
                .isEqualTo(account.balance());
    }

    private long debits(RunFixture.Owner owner) throws Exception {
        return fixture.count(
                "SELECT count(*) FROM points_ledger WHERE owner_id = ? AND amount < 0",
                owner.user().id());
    }

    private String status(RunAccepted task) throws Exception {
        return fixture.strings("SELECT status FROM agent_run WHERE id = ?", task.taskId())
                .getFirst();
    }
}
