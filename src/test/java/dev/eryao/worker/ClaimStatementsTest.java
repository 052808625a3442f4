package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.App;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Database;
import dev.eryao.provider.ChatMessage;
import dev.eryao.provider.Completion;
import dev.eryao.services.ClaimedRun;
import dev.eryao.services.ModelDraft;
import dev.eryao.services.PointsService;
import dev.eryao.services.RunContext;
import dev.eryao.services.RunExecutionService;
import dev.eryao.services.RunTotals;
import dev.eryao.services.StepView;
import dev.eryao.support.SqlRecorder;
import dev.eryao.support.TestDatabase;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a claim costs in statements, pinned: the claim itself, the model with its factory, the
 * question's move under its parent question's answer (see MessageRepository#followAnswerOfParent),
 * and the conversation by ids — and the hold's raise (two more) only when the conversation costs more
 * than the input alone was held for, and the tool calls and results of earlier runs (one more) only
 * when a run on the chain called tools. One more statement on this path fails here.
 */
class ClaimStatementsTest {
    private final SqlRecorder sql = new SqlRecorder();
    private final Database database = TestDatabase.get().freshMigratedDatabase();
    private final App app = App.over(database, TestDatabase.get().settings(), sql);

    @AfterEach
    void close() {
        app.close();
        database.close();
    }

    private UUID freeModel() {
        UUID factory = app.catalog().createFactory("free-" + UUID.randomUUID()).id();
        UUID model = app.catalog()
                .createModel(new ModelDraft(
                        factory,
                        "free",
                        "Free",
                        "http://127.0.0.1:9/v1/chat/completions",
                        BigDecimal.ZERO,
                        BigDecimal.ZERO,
                        128_000,
                        true))
                .id();
        return model;
    }

    private UUID session(CurrentUser owner) {
        app.points().grant(new PointsService.Change(owner.id(), 1, "test", null, null, null));
        return app.sessions().create(owner, "chat", freeModel()).id();
    }

    private List<String> claimStatements(RunExecutionService runs) {
        try (SqlRecorder.Recording recording = sql.record()) {
            assertThat(runs.claimNext("worker", Instant.now().plusSeconds(1))).isPresent();
            return recording.statements();
        }
    }

    /** Claims the session's next run and answers it, having it call {@code tool} first unless null. */
    private void answer(RunExecutionService runs, String tool) {
        RunContext run = runs.claimNext("worker", Instant.now().plusSeconds(1)).orElseThrow();
        Instant now = Instant.now();
        RunTotals totals = run.totals();
        if (tool != null) {
            totals = runs.recordModelStep(
                            run,
                            "worker",
                            new Completion("", 1, 1),
                            List.of(new StepView.ToolCallView("call_1", tool, "{}")),
                            totals,
                            now,
                            now)
                    .orElseThrow();
            assertThat(runs.recordToolStep(run, "worker", totals, tool, "call_1", "{}", "done", false, 0, now, now)
                            .claimHeld())
                    .isTrue();
            totals = totals.plusToolStep(0);
        }
        assertThat(runs.finishTurn(run, "worker", new Completion("answered", 1, 1), totals, now, now))
                .isTrue();
    }

    @Test
    void aClaimIsFourStatements() {
        CurrentUser owner = new CurrentUser(UUID.randomUUID(), CurrentUser.AUTHENTICATED);
        UUID session = session(owner);
        app.runs().enqueue(owner, session, "hello", null, null);
        RunExecutionService runs = app.runExecution(app.settings().worker());

        List<String> statements = claimStatements(runs);
        assertThat(statements)
                .as("the claim, the model with its factory, the question moved under its parent's answer"
                        + " (when it still follows a question), the conversation by ids")
                .hasSize(4);
        assertThat(statements.getFirst()).contains("FOR UPDATE SKIP LOCKED");
    }

    @Test
    void aClaimOfSeveralRunsIsOneClaimStatementAndThreeForEachRun() {
        CurrentUser owner = new CurrentUser(UUID.randomUUID(), CurrentUser.AUTHENTICATED);
        for (int i = 0; i < 3; i++) {
            app.runs().enqueue(owner, session(owner), "hello " + i, null, null);
        }
        RunExecutionService runs = app.runExecution(app.settings().worker());

        List<String> statements;
        try (SqlRecorder.Recording recording = sql.record()) {
            assertThat(runs.claim("worker", Instant.now().plusSeconds(1), 8)).hasSize(3);
            statements = recording.statements();
        }
        assertThat(statements)
                .as("one claim for all three, then each run's model, question and conversation")
                .hasSize(1 + 3 * 3);
        assertThat(statements.stream().filter(s -> s.contains("FOR UPDATE SKIP LOCKED")))
                .hasSize(1);
    }

    @Test
    void theFetchLoopsClaimIsOneStatementAndEachRunIsReadiedByItsPerformer() {
        CurrentUser owner = new CurrentUser(UUID.randomUUID(), CurrentUser.AUTHENTICATED);
        for (int i = 0; i < 3; i++) {
            app.runs().enqueue(owner, session(owner), "hello " + i, null, null);
        }
        RunExecutionService runs = app.runExecution(app.settings().worker());

        List<ClaimedRun> claimed;
        try (SqlRecorder.Recording recording = sql.record()) {
            claimed = runs.claimRuns("worker", Instant.now().plusSeconds(1), 8);
            assertThat(recording.statements())
                    .as("what the one fetch loop of a process sends for three runs")
                    .hasSize(1)
                    .allMatch(s -> s.contains("FOR UPDATE SKIP LOCKED"));
        }
        assertThat(claimed).hasSize(3);
        for (ClaimedRun claim : claimed) {
            try (SqlRecorder.Recording recording = sql.record()) {
                RunContext run = runs.prepare(claim, "worker", Instant.now().plusSeconds(1));
                assertThat(run.problem()).isNull();
                assertThat(run.messages())
                        .extracting(ChatMessage::content)
                        .containsExactly(claim.claim().input());
                assertThat(recording.statements())
                        .as("on the performer's thread: the model, the question's move and the conversation")
                        .hasSize(3);
            }
        }
    }

    @Test
    void earlierRunsToolCallsAreOneMoreStatementOnlyWhenARunOnTheChainCalledTools() {
        RunExecutionService runs = app.runExecution(app.settings().worker());
        CurrentUser owner = new CurrentUser(UUID.randomUUID(), CurrentUser.AUTHENTICATED);
        UUID plain = session(owner);
        app.runs().enqueue(owner, plain, "hello", null, null);
        answer(runs, null);
        app.runs().enqueue(owner, plain, "again", null, null);
        assertThat(claimStatements(runs))
                .as("a later run after runs that called no tools: no read of steps")
                .hasSize(4);

        UUID tooled = session(owner);
        app.runs().enqueue(owner, tooled, "hello", null, null);
        answer(runs, "t");
        app.runs().enqueue(owner, tooled, "again", null, null);
        answer(runs, null);
        app.runs().enqueue(owner, tooled, "and again", null, null);
        List<String> statements = claimStatements(runs);
        assertThat(statements)
                .as("the steps of every run on the chain that called tools, in one statement")
                .hasSize(5);
        assertThat(statements.get(4)).contains("agent_run_step");
    }
}
