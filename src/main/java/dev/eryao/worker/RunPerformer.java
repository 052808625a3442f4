package dev.eryao.worker;

import dev.eryao.core.SafeTrace;
import dev.eryao.provider.CancelSignal;
import dev.eryao.provider.ChatRequest;
import dev.eryao.provider.Completion;
import dev.eryao.provider.LlmCallException;
import dev.eryao.services.RunContext;
import dev.eryao.services.RunExecutionService;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs one queued run: claim it (a short transaction), stream its model's answer (no
 * transaction held while waiting; the answer is stored in pieces as it arrives, for the run's
 * event streams, by an {@link AnswerWriter}), record the outcome (another short transaction):
 * succeeded, cancelled (it was stopped: what was written is kept and what was used charged), or
 * failed or retried. Safe to run on any number of threads in any number of processes.
 *
 * <p>A run always ends. Whatever the attempt meets — a provider error, any other exception or
 * error from the call, from the listener or from the answer's writer — the writer is finished
 * (so it stops extending the lease) and the attempt recorded as failed (retried when attempts
 * remain). Only when the recording itself cannot be done (the database is down) does the run stay
 * running, until its lease expires and the rescuer takes it back; and a {@link Fatal} error is
 * not handled here at all, but passed to the worker, which ends the process.
 */
final class RunPerformer {
    private static final Logger log = LoggerFactory.getLogger(RunPerformer.class);

    private final RunExecutionService runs;
    private final ModelCall model;
    private final Clock clock;
    private final String workerId;
    private final WorkerMetrics metrics;

    RunPerformer(RunExecutionService runs, ModelCall model, Clock clock, String workerId, WorkerMetrics metrics) {
        this.metrics = metrics;
        this.runs = runs;
        this.model = model;
        this.clock = clock;
        this.workerId = workerId;
    }

    /** Performs the next due run; false when there was none. */
    boolean performNext() {
        Optional<RunContext> claimed = runs.claimNext(workerId, clock.instant());
        if (claimed.isEmpty()) {
            return false;
        }
        long claimedNanos = System.nanoTime();
        RunContext run = claimed.get();
        WorkerMetrics.Outcome outcome;
        if (run.problem() != null) {
            outcome = record(
                    run,
                    runs.fail(run, workerId, run.problem(), false, "", clock.instant()),
                    WorkerMetrics.Outcome.FAILED);
        } else {
            outcome = perform(run, claimedNanos);
        }
        metrics.attemptEnded(outcome, claimedNanos);
        return true;
    }

    private WorkerMetrics.Outcome perform(RunContext run, long claimedNanos) {
        CancelSignal cancel = new CancelSignal();
        AnswerWriter answer =
                new AnswerWriter(runs, run, workerId, clock, cancel, () -> metrics.firstPieceStored(claimedNanos));
        StringBuilder written = new StringBuilder();
        Completion completion = null;
        Failure failure = null;
        try {
            completion = model.stream(
                    new ChatRequest(
                            run.requestUrl(),
                            run.factoryName(),
                            run.modelCode(),
                            run.messages(),
                            run.outputCap(),
                            run.price().contextTokens()),
                    piece -> {
                        written.append(piece);
                        answer.offer(piece);
                    },
                    cancel);
        } catch (LlmCallException e) {
            cancel.cancel();
            // The summary, never the message: a provider's answer can quote the conversation.
            log.info("run {} attempt {} failed: {}", run.runId(), run.attempt(), e.summary());
            failure = new Failure(e.getMessage(), e.retryable());
        } catch (Throwable e) {
            cancel.cancel();
            if (Fatal.is(e)) {
                throw e; // the writer is still finished (below), then the worker ends the process
            }
            failure = unexpected(run, e, "while calling its model");
        } finally {
            finish(answer);
        }
        if (failure == null && answer.failure() != null) {
            failure = unexpected(run, answer.failure(), "while storing its answer");
        }
        if (failure != null) {
            return record(
                    run,
                    runs.fail(run, workerId, failure.error(), failure.retryable(), written.toString(), clock.instant()),
                    WorkerMetrics.Outcome.FAILED);
        }
        if (answer.claimLost()) {
            return record(run, false, WorkerMetrics.Outcome.LOST);
        }
        String unusable = run.usageProblem(completion);
        if (completion.cancelled()) {
            // What the provider reported cannot be charged: the stop is recorded, free.
            Completion used =
                    unusable == null ? completion : new Completion(completion.content(), 0, 0, null, true, true);
            return record(run, runs.stop(run, workerId, used, clock.instant()), WorkerMetrics.Outcome.CANCELLED);
        }
        if (unusable != null) {
            // A provider error like any other: never a charge, never a credit.
            log.info("run {} attempt {} failed: {}", run.runId(), run.attempt(), unusable);
            return record(
                    run,
                    runs.fail(
                            run,
                            workerId,
                            "the model's answer cannot be priced: " + unusable,
                            false,
                            written.toString(),
                            clock.instant()),
                    WorkerMetrics.Outcome.FAILED);
        }
        return record(run, runs.succeed(run, workerId, completion, clock.instant()), WorkerMetrics.Outcome.SUCCEEDED);
    }

    /**
     * An attempt ended by something no code path expected (a bug, or an error of the JVM's): logged
     * with its classes and frames but no message (a message can quote a key or the conversation),
     * and failed so that the run is tried again while attempts remain.
     */
    private static Failure unexpected(RunContext run, Throwable error, String where) {
        log.error(
                "run {} attempt {} met an unexpected {} {}: {}",
                run.runId(),
                run.attempt(),
                error.getClass().getSimpleName(),
                where,
                SafeTrace.of(error));
        return new Failure(
                "the worker met an unexpected error " + where + " ("
                        + error.getClass().getSimpleName() + "); the administrator's logs have the details",
                true);
    }

    private record Failure(String error, boolean retryable) {}

    /** Lets the answer's writer store what is pending; an interrupt (the worker closing) cuts it short. */
    private static void finish(AnswerWriter answer) {
        try {
            answer.finish();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How the attempt ended: {@code outcome} when it was recorded, lost when its lease was. */
    private static WorkerMetrics.Outcome record(RunContext run, boolean recorded, WorkerMetrics.Outcome outcome) {
        if (!recorded) {
            log.warn(
                    "run {} attempt {} finished after its lease was lost; its outcome was dropped",
                    run.runId(),
                    run.attempt());
            return WorkerMetrics.Outcome.LOST;
        }
        return outcome;
    }
}
