package dev.eryao.worker;

import dev.eryao.services.ClaimedRun;
import dev.eryao.services.RunContext;
import dev.eryao.services.RunExecutionService;
import dev.eryao.services.RunTraces;
import dev.eryao.services.tools.RegisteredTools;
import java.time.Clock;
import java.util.List;

/**
 * Performs one queued run: claim it (a short transaction), perform it step by step
 * ({@link ToolLoop}: its model's answers streamed with no transaction held while waiting, stored in
 * pieces as they arrive, for the run's event streams, by an {@link AnswerWriter}; the tools they
 * call, each step recorded), record the outcome (another short transaction): succeeded, cancelled
 * (it was stopped: what was written is kept and what was used charged), or failed or retried. Safe
 * to run on any number of threads in any number of processes.
 *
 * <p>A run always ends. Whatever the attempt meets — a provider error, any other exception or
 * error from the call, from the listener or from the answer's writer — the writer is finished
 * (so it stops extending the lease) and the attempt recorded as failed (retried when attempts
 * remain). Only when the recording itself cannot be done (the database is down) does the run stay
 * running, until its lease expires and the rescuer takes it back; and a {@link Fatal} error is
 * not handled here at all, but passed to the worker, which ends the process.
 */
final class RunPerformer {
    private final RunExecutionService runs;
    private final ToolLoop loop;
    private final Clock clock;
    private final String workerId;
    private final WorkerMetrics metrics;
    private final RunTraces traces;

    RunPerformer(
            RunExecutionService runs,
            ModelCall model,
            RegisteredTools tools,
            Clock clock,
            String workerId,
            WorkerMetrics metrics,
            RunTraces traces) {
        this.runs = runs;
        this.traces = traces;
        this.loop = new ToolLoop(runs, model, new ToolStep(tools), clock, workerId, metrics);
        this.clock = clock;
        this.workerId = workerId;
        this.metrics = metrics;
    }

    /** Performs the next due run; false when there was none. */
    boolean performNext() {
        long claimStarted = traces.claimStarting();
        List<ClaimedRun> claimed = runs.claimRuns(workerId, clock.instant(), 1);
        if (claimed.isEmpty()) {
            return false;
        }
        perform(claimed.getFirst(), claimStarted);
        return true;
    }

    /**
     * Claims up to {@code limit} due runs, in one statement, for {@link #perform} to perform, each
     * on a thread of its own; none when none is due.
     */
    Claimed claim(int limit) {
        long claimStarted = traces.claimStarting();
        return new Claimed(runs.claimRuns(workerId, clock.instant(), limit), claimStarted);
    }

    /** Runs claimed together, and when their claim began (for their attempts' traces). */
    record Claimed(List<ClaimedRun> runs, long claimStarted) {}

    /** Performs a run this worker claimed, to its end (see the class). */
    void perform(ClaimedRun claimed, long claimStarted) {
        long claimedNanos = System.nanoTime();
        WorkerMetrics.Outcome outcome;
        // The attempt is current on this thread while it is performed: its steps' spans are its children.
        try (RunTraces.Attempt traced = traces.attempt(claimed, claimStarted)) {
            // Once the claim is committed, by the thread that performs the run, so that the runs
            // claimed together are readied side by side: its context (the conversation read by ids,
            // which a long one makes the costliest part), then its tools (listing an MCP server's
            // tools may take the network's time).
            RunContext run = runs.withTools(runs.prepare(claimed, workerId, clock.instant()));
            if (run.problem() != null) {
                outcome = ToolLoop.record(
                        run,
                        runs.fail(run, workerId, run.problem(), false, "", clock.instant()),
                        WorkerMetrics.Outcome.FAILED);
            } else {
                outcome = loop.perform(run, claimedNanos);
            }
            traced.ended(outcome.label());
        }
        metrics.attemptEnded(outcome, claimedNanos);
    }
}
