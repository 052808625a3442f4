package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.provider.Completion;
import dev.eryao.services.RunContext;
import dev.eryao.services.RunExecutionService;
import java.util.List;
import java.util.UUID;

/**
 * A run whose answer is stored as a worker stores it — claimed, then written piece by piece through
 * the worker's service, then finished — without a model: a test chooses the pieces (their number,
 * sizes and characters) and when the run finishes.
 */
final class StoredAnswer {
    private static final String WORKER = "stored-answer";

    private final RunFixture fixture;
    private final RunExecutionService execution;
    private final RunContext run;
    private int written;

    private StoredAnswer(RunFixture fixture, RunExecutionService execution, RunContext run) {
        this.fixture = fixture;
        this.execution = execution;
        this.run = run;
    }

    /** Queues a run of {@code owner}'s and claims it, as the only worker of the fixture's database. */
    static StoredAnswer start(RunFixture fixture, RunFixture.Owner owner) {
        UUID runId = fixture.enqueue(owner, "write a long answer").taskId();
        RunExecutionService execution = fixture.app.runExecution(fixture.settings(1, 3));
        RunContext run = execution.claimNext(WORKER, fixture.clock.instant()).orElseThrow();
        assertThat(run.runId()).isEqualTo(runId);
        return new StoredAnswer(fixture, execution, run);
    }

    UUID runId() {
        return run.runId();
    }

    /** Stores {@code pieces} after those already written, each in its own transaction, as a worker does. */
    void write(List<String> pieces) {
        for (String piece : pieces) {
            assertThat(execution
                            .append(run, WORKER, written++, piece, fixture.clock.instant())
                            .claimHeld())
                    .as("the claim is still the writer's")
                    .isTrue();
        }
    }

    /** Records the run succeeded with {@code answer} (what the pieces add up to) as its output. */
    void succeed(String answer) {
        assertThat(execution.succeed(run, WORKER, new Completion(answer, 10, 100), fixture.clock.instant()))
                .isTrue();
    }
}
