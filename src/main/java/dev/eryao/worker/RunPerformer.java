package dev.eryao.worker;

import dev.eryao.provider.CancelSignal;
import dev.eryao.provider.ChatCompletionsClient;
import dev.eryao.provider.ChatRequest;
import dev.eryao.provider.Completion;
import dev.eryao.provider.LlmCallException;
import dev.eryao.services.RunExecutionService;
import dev.eryao.services.RunContext;
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
 */
final class RunPerformer {
    private static final Logger log = LoggerFactory.getLogger(RunPerformer.class);

    private final RunExecutionService runs;
    private final ChatCompletionsClient llm;
    private final Clock clock;
    private final String workerId;

    RunPerformer(RunExecutionService runs, ChatCompletionsClient llm, Clock clock, String workerId) {
        this.runs = runs;
        this.llm = llm;
        this.clock = clock;
        this.workerId = workerId;
    }

    /** Performs the next due run; false when there was none. */
    boolean performNext() {
        Optional<RunContext> claimed = runs.claimNext(workerId, clock.instant());
        if (claimed.isEmpty()) {
            return false;
        }
        RunContext run = claimed.get();
        if (run.problem() != null) {
            record(run, runs.fail(run, workerId, run.problem(), false, clock.instant()));
            return true;
        }
        CancelSignal cancel = new CancelSignal();
        AnswerWriter answer = new AnswerWriter(runs, run, workerId, clock, cancel);
        Completion completion;
        try {
            completion = llm.stream(new ChatRequest(run.requestUrl(), run.factoryName(), run.modelCode(),
                    run.messages(), run.outputCap(), run.price().contextTokens()), answer::offer, cancel);
        } catch (LlmCallException e) {
            cancel.cancel();
            finish(answer);
            // The summary, never the message: a provider's answer can quote the conversation.
            log.info("run {} attempt {} failed: {}", run.runId(), run.attempt(), e.summary());
            record(run, runs.fail(run, workerId, e.getMessage(), e.retryable(), clock.instant()));
            return true;
        }
        finish(answer);
        if (answer.claimLost()) {
            record(run, false);
            return true;
        }
        String unusable = run.usageProblem(completion);
        if (completion.cancelled()) {
            // What the provider reported cannot be charged: the stop is recorded, free.
            Completion used = unusable == null ? completion
                    : new Completion(completion.content(), 0, 0, null, true, true);
            record(run, runs.stop(run, workerId, used, clock.instant()));
            return true;
        }
        if (unusable != null) {
            // A provider error like any other: never a charge, never a credit.
            log.info("run {} attempt {} failed: {}", run.runId(), run.attempt(), unusable);
            record(run, runs.fail(run, workerId, "the model's answer cannot be priced: " + unusable, false,
                    clock.instant()));
            return true;
        }
        record(run, runs.succeed(run, workerId, completion, clock.instant()));
        return true;
    }

    /** Lets the answer's writer store what is pending; an interrupt (the worker closing) cuts it short. */
    private static void finish(AnswerWriter answer) {
        try {
            answer.finish();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void record(RunContext run, boolean recorded) {
        if (!recorded) {
            log.warn("run {} attempt {} finished after its lease was lost; its outcome was dropped",
                    run.runId(), run.attempt());
        }
    }
}
