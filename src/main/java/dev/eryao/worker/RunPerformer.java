package dev.eryao.worker;

import dev.eryao.llm.ChatCompletionsClient;
import dev.eryao.llm.Completion;
import dev.eryao.llm.LlmCallException;
import dev.eryao.services.RunExecutionService;
import dev.eryao.services.RunContext;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs one queued run: claim it (a short transaction), call its model (no transaction held
 * while waiting), record the outcome (another short transaction). Safe to run on any number of
 * threads in any number of processes.
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
        Completion completion;
        try {
            completion = llm.complete(run.requestUrl(), run.factoryName(), run.modelCode(), run.messages(),
                    run.outputCap());
        } catch (LlmCallException e) {
            // The summary, never the message: a provider's answer can quote the conversation.
            log.info("run {} attempt {} failed: {}", run.runId(), run.attempt(), e.summary());
            record(run, runs.fail(run, workerId, e.getMessage(), e.retryable(), clock.instant()));
            return true;
        }
        String unusable = run.usageProblem(completion);
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

    private static void record(RunContext run, boolean recorded) {
        if (!recorded) {
            log.warn("run {} attempt {} finished after its lease was lost; its outcome was dropped",
                    run.runId(), run.attempt());
        }
    }
}
