package dev.eryao.worker;

import dev.eryao.core.SafeTrace;
import dev.eryao.provider.CancelSignal;
import dev.eryao.provider.ChatMessage;
import dev.eryao.provider.ChatRequest;
import dev.eryao.provider.Completion;
import dev.eryao.provider.LlmCallException;
import dev.eryao.provider.ToolCall;
import dev.eryao.provider.ToolDefinition;
import dev.eryao.services.AttemptCheck;
import dev.eryao.services.PendingCall;
import dev.eryao.services.PendingCalls;
import dev.eryao.services.RunContext;
import dev.eryao.services.RunExecutionService;
import dev.eryao.services.RunPrice;
import dev.eryao.services.RunTotals;
import dev.eryao.services.StepView;
import dev.eryao.services.tools.RegisteredTool;
import dev.eryao.services.tools.ToolOutcome;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of a run, step by step: a model step (the conversation so far, the offered tools),
 * then the tool calls it asked for, each a step of its own whose result joins the conversation,
 * then the next model step — until the model answers without calling a tool ({@code end_turn}) or
 * a limit stops the run between steps: {@code max_steps} model steps taken, the owner unable to
 * cover the next step ({@code insufficient_points}), the next step able to pass the run's own
 * {@code max_points}. Every step is recorded as it ends, so a retried attempt starts after the last
 * one recorded (performing first the calls a recorded model step asked for and no step answered)
 * and never pays a step twice.
 *
 * <p>Money, step by step: before each model step the run's hold is raised to what its steps owe
 * plus the most this step can cost (its prompt's bound, tools included, and the output cap), and a
 * priced tool's price is held before its call; a step owes its price, at most what is left of the
 * hold. So a run never costs more than it held, and the holds of one owner's runs, in any number of
 * processes, never take more than the owner has (HoldRepository).
 */
final class ToolLoop {
    private static final Logger log = LoggerFactory.getLogger(ToolLoop.class);

    private final RunExecutionService runs;
    private final ModelCall model;
    private final ToolStep tools;
    private final Clock clock;
    private final String workerId;
    private final WorkerMetrics metrics;

    ToolLoop(
            RunExecutionService runs,
            ModelCall model,
            ToolStep tools,
            Clock clock,
            String workerId,
            WorkerMetrics metrics) {
        this.runs = runs;
        this.model = model;
        this.tools = tools;
        this.clock = clock;
        this.workerId = workerId;
        this.metrics = metrics;
    }

    /** Where an attempt is as it goes from step to step. */
    private static final class Attempt {
        final List<ChatMessage> conversation;
        RunTotals totals;
        String lastText = "";
        final StringBuilder written = new StringBuilder();

        Attempt(List<ChatMessage> conversation, RunTotals totals) {
            this.conversation = conversation;
            this.totals = totals;
        }
    }

    WorkerMetrics.Outcome perform(RunContext run, long claimedNanos) {
        CancelSignal cancel = new CancelSignal();
        AnswerWriter answer =
                new AnswerWriter(runs, run, workerId, clock, cancel, () -> metrics.firstPieceStored(claimedNanos));
        Attempt attempt = new Attempt(new ArrayList<>(run.messages()), run.totals());
        List<ToolCall> unanswered = replay(run.steps(), attempt);
        ToolEvents.replayed(answer, run.steps());
        WorkerMetrics.Outcome outcome =
                unanswered.isEmpty() ? null : callTools(run, attempt, unanswered, run.answers(), answer, cancel);
        while (outcome == null) {
            outcome = step(run, attempt, answer, cancel);
        }
        return outcome;
    }

    /**
     * One model step and the tool calls it asks for; the attempt's outcome once the run has ended
     * (or the attempt is lost), else null: the next step follows.
     */
    private WorkerMetrics.Outcome step(RunContext run, Attempt attempt, AnswerWriter answer, CancelSignal cancel) {
        WorkerMetrics.Outcome interrupted = interrupted(run, attempt, answer);
        if (interrupted != null) {
            return interrupted;
        }
        RunTotals totals = attempt.totals;
        if (totals.modelSteps() >= run.maxSteps()) {
            return endEarly(run, attempt, RunExecutionService.STOP_MAX_STEPS, answer);
        }
        List<ToolDefinition> offered = run.toolDefinitions();
        long stepHold =
                run.price().free() ? 0 : run.price().hold(RunPrice.promptTokenBoundOf(attempt.conversation, offered));
        WorkerMetrics.Outcome short_ = holdFor(run, attempt, totals.owed() + stepHold, answer);
        if (short_ != null) {
            return short_;
        }
        Instant started = clock.instant();
        Completion completion;
        try {
            completion = model.stream(
                    new ChatRequest(
                            run.requestUrl(),
                            run.factoryName(),
                            run.modelCode(),
                            attempt.conversation,
                            run.outputCap(),
                            run.price().contextTokens(),
                            offered),
                    piece -> {
                        attempt.written.append(piece);
                        answer.offer(piece);
                    },
                    cancel);
        } catch (LlmCallException e) {
            cancel.cancel();
            // The summary, never the message: a provider's answer can quote the conversation.
            log.info("run {} attempt {} failed: {}", run.runId(), run.attempt(), e.summary());
            return failed(run, attempt, e.getMessage(), e.retryable(), answer);
        } catch (Throwable e) {
            cancel.cancel();
            if (Fatal.is(e)) {
                finish(answer);
                throw e; // the writer is finished, then the worker ends the process
            }
            return failed(run, attempt, unexpected(run, e, "while calling its model"), true, answer);
        }
        if (answer.failure() != null) {
            // It stopped the call (a cancel): the attempt cannot be recorded as answered.
            finish(answer);
            return failed(run, attempt, unexpected(run, answer.failure(), "while storing its answer"), true, null);
        }
        if (answer.claimLost()) {
            finish(answer);
            return record(run, false, WorkerMetrics.Outcome.LOST);
        }
        String unusable = run.usageProblem(completion);
        if (completion.cancelled()) {
            finish(answer);
            Completion used =
                    unusable == null ? completion : new Completion(completion.content(), 0, 0, null, true, true);
            return record(
                    run,
                    runs.stop(run, workerId, used, attempt.totals, clock.instant()),
                    WorkerMetrics.Outcome.CANCELLED);
        }
        if (unusable != null) {
            log.info("run {} attempt {} failed: {}", run.runId(), run.attempt(), unusable);
            return failed(run, attempt, "the model's answer cannot be priced: " + unusable, false, answer);
        }
        if (!completion.callsTools()) {
            finish(answer);
            if (answer.failure() != null) {
                return failed(run, attempt, unexpected(run, answer.failure(), "while storing its answer"), true, null);
            }
            return record(
                    run,
                    runs.finishTurn(run, workerId, completion, attempt.totals, started, clock.instant()),
                    WorkerMetrics.Outcome.SUCCEEDED);
        }
        List<StepView.ToolCallView> calls = completion.toolCalls().stream()
                .map(call -> new StepView.ToolCallView(call.id(), call.name(), call.argumentsJson()))
                .toList();
        var after = runs.recordModelStep(run, workerId, completion, calls, attempt.totals, started, clock.instant());
        if (after.isEmpty()) {
            finish(answer);
            return record(run, false, WorkerMetrics.Outcome.LOST);
        }
        attempt.totals = after.get();
        attempt.lastText = completion.content();
        attempt.conversation.add(ChatMessage.assistantCalls(completion.content(), completion.toolCalls()));
        completion.toolCalls().forEach(call -> ToolEvents.call(answer, call));
        // A new step's calls have no answers yet, whatever ids the model gave them.
        return callTools(run, attempt, completion.toolCalls(), PendingCalls.none(), answer, cancel);
    }

    /**
     * Performs {@code calls} in order, each recorded as a step; the outcome when the run ended
     * meanwhile (or parked, at the first call that waits for its owner), else null.
     *
     * @param answers the owner's answers, for the calls the run resumes with only: a model may give
     *                a later step's call an id it used before, and an earlier approval must never
     *                let that call through
     */
    private WorkerMetrics.Outcome callTools(
            RunContext run,
            Attempt attempt,
            List<ToolCall> calls,
            PendingCalls answers,
            AnswerWriter answer,
            CancelSignal cancel) {
        for (int i = 0; i < calls.size(); i++) {
            ToolCall call = calls.get(i);
            WorkerMetrics.Outcome interrupted = interrupted(run, attempt, answer);
            if (interrupted != null) {
                return interrupted;
            }
            Instant started = clock.instant();
            ToolOutcome outcome;
            long price = 0;
            String refusal = ToolStep.refusal(run, call);
            Optional<PendingCall> answered = answers.answerTo(call);
            if (refusal != null) {
                outcome = ToolOutcome.error(refusal);
            } else if (ToolStep.waitsForOwner(run, call) && answered.isEmpty()) {
                return park(run, attempt, calls.subList(i, calls.size()), answers, answer);
            } else if (run.clientTool(call.name()).isPresent()) {
                outcome =
                        ToolStep.bounded(new ToolOutcome(answered.orElseThrow().output(), false));
            } else if (answered.isPresent() && answered.get().decision().equals(PendingCall.DENIED)) {
                String reason = answered.get().reason();
                outcome = ToolOutcome.error("the owner denied this call"
                        + (reason == null || reason.isBlank() ? "" : ": " + reason)
                        + "; answer without its result");
            } else {
                RegisteredTool tool = ToolStep.toolOf(run, call).orElseThrow();
                if (tool.pricePerCall() > 0) {
                    WorkerMetrics.Outcome short_ =
                            holdFor(run, attempt, attempt.totals.owed() + tool.pricePerCall(), answer);
                    if (short_ != null) {
                        return short_;
                    }
                    price = tool.pricePerCall();
                }
                outcome = tools.call(run, tool, call, cancel);
            }
            long charged = Math.min(price, Math.max(0, attempt.totals.heldPoints() - attempt.totals.owed()));
            AttemptCheck check = runs.recordToolStep(
                    run,
                    workerId,
                    attempt.totals,
                    call.name(),
                    call.id(),
                    call.argumentsJson(),
                    outcome.content(),
                    outcome.error(),
                    charged,
                    started,
                    clock.instant());
            if (!check.claimHeld()) {
                finish(answer);
                return record(run, false, WorkerMetrics.Outcome.LOST);
            }
            attempt.totals = attempt.totals.plusToolStep(charged);
            ToolEvents.result(answer, call, outcome);
            attempt.conversation.add(ChatMessage.toolResult(call.id(), outcome.content()));
            if (check.stopRequested()) {
                return stopBetweenSteps(run, attempt, answer);
            }
        }
        return null;
    }

    /**
     * Parks the run on the first of {@code remaining} and every later call that waits for its owner
     * (those the owner already answered keep their answers); the calls between them that need no
     * one are performed when the run resumes, in the model's order.
     */
    private WorkerMetrics.Outcome park(
            RunContext run, Attempt attempt, List<ToolCall> remaining, PendingCalls answers, AnswerWriter answer) {
        List<PendingCall> pending = new ArrayList<>();
        for (ToolCall call : remaining) {
            if (ToolStep.refusal(run, call) != null || !ToolStep.waitsForOwner(run, call)) {
                continue;
            }
            pending.add(answers.answerTo(call)
                    .orElseGet(() -> PendingCall.waiting(
                            call.id(),
                            call.name(),
                            call.argumentsJson(),
                            run.clientTool(call.name()).isPresent() ? PendingCall.CLIENT : PendingCall.APPROVAL)));
        }
        finish(answer);
        if (answer.failure() != null) {
            return failed(run, attempt, unexpected(run, answer.failure(), "while storing its answer"), true, null);
        }
        return switch (runs.park(run, workerId, PendingCalls.of(pending), clock.instant())) {
            case PARKED -> WorkerMetrics.Outcome.PARKED;
            case STOP ->
                record(
                        run,
                        runs.stop(run, workerId, null, attempt.totals, clock.instant()),
                        WorkerMetrics.Outcome.CANCELLED);
            case LOST -> record(run, false, WorkerMetrics.Outcome.LOST);
        };
    }

    /**
     * What the answer's writer learnt between steps: the claim lost, the run to stop, or the writer
     * itself failed; null when the attempt goes on.
     */
    private WorkerMetrics.Outcome interrupted(RunContext run, Attempt attempt, AnswerWriter answer) {
        if (answer.claimLost()) {
            finish(answer);
            return record(run, false, WorkerMetrics.Outcome.LOST);
        }
        if (answer.failure() != null) {
            finish(answer);
            return failed(run, attempt, unexpected(run, answer.failure(), "while storing its answer"), true, null);
        }
        if (answer.stopRequested()) {
            return stopBetweenSteps(run, attempt, answer);
        }
        return null;
    }

    /**
     * Raises the hold to {@code needed} when it is less; the outcome when the run cannot go on (too
     * few points, its own cap, the claim lost), else null.
     */
    private WorkerMetrics.Outcome holdFor(RunContext run, Attempt attempt, long needed, AnswerWriter answer) {
        if (run.maxPoints() != null && needed > run.maxPoints()) {
            return endEarly(run, attempt, RunExecutionService.STOP_MAX_POINTS, answer);
        }
        if (needed <= attempt.totals.heldPoints()) {
            return null;
        }
        switch (runs.raiseHold(run, workerId, attempt.totals.heldPoints(), needed, clock.instant())) {
            case RAISED -> {
                attempt.totals = attempt.totals.holding(needed);
                return null;
            }
            case SHORT -> {
                return endEarly(run, attempt, RunExecutionService.STOP_INSUFFICIENT_POINTS, answer);
            }
            default -> {
                finish(answer);
                return record(run, false, WorkerMetrics.Outcome.LOST);
            }
        }
    }

    private WorkerMetrics.Outcome endEarly(RunContext run, Attempt attempt, String reason, AnswerWriter answer) {
        finish(answer);
        return record(
                run,
                runs.endEarly(run, workerId, attempt.totals, reason, attempt.lastText, clock.instant()),
                WorkerMetrics.Outcome.SUCCEEDED);
    }

    private WorkerMetrics.Outcome stopBetweenSteps(RunContext run, Attempt attempt, AnswerWriter answer) {
        finish(answer);
        return record(
                run, runs.stop(run, workerId, null, attempt.totals, clock.instant()), WorkerMetrics.Outcome.CANCELLED);
    }

    private WorkerMetrics.Outcome failed(
            RunContext run, Attempt attempt, String error, boolean retryable, AnswerWriter answer) {
        if (answer != null) {
            finish(answer);
        }
        return record(
                run,
                runs.fail(run, workerId, error, retryable, attempt.written.toString(), clock.instant()),
                WorkerMetrics.Outcome.FAILED);
    }

    /**
     * The recorded steps as the conversation continues from them: each model step that asked for
     * tools as the assistant's message with its calls, each tool step as its result. Returns the
     * calls of the last model step that no recorded step answered (an attempt that ended between
     * them), to be performed before the next model step.
     */
    static List<ToolCall> replay(List<StepView> steps, Attempt attempt) {
        List<ToolCall> pending = new ArrayList<>();
        Set<String> answered = new HashSet<>();
        for (StepView step : steps) {
            if (step.modelStep()) {
                pending.removeIf(call -> answered.contains(call.id()));
                List<ToolCall> calls = step.toolCalls().stream()
                        .map(call -> new ToolCall(call.id(), call.name(), call.arguments()))
                        .toList();
                if (!calls.isEmpty()) {
                    attempt.conversation.add(
                            ChatMessage.assistantCalls(step.content() == null ? "" : step.content(), calls));
                    attempt.lastText = step.content() == null ? "" : step.content();
                }
                pending = new ArrayList<>(calls);
                answered.clear();
            } else {
                answered.add(step.toolCallId());
                attempt.conversation.add(
                        ChatMessage.toolResult(step.toolCallId(), step.result() == null ? "" : step.result()));
            }
        }
        pending.removeIf(call -> answered.contains(call.id()));
        return pending;
    }

    /**
     * An attempt ended by something no code path expected (a bug, or an error of the JVM's): logged
     * with its classes and frames but no message (a message can quote a key or the conversation),
     * and failed so that the run is tried again while attempts remain.
     */
    private static String unexpected(RunContext run, Throwable error, String where) {
        log.error(
                "run {} attempt {} met an unexpected {} {}: {}",
                run.runId(),
                run.attempt(),
                error.getClass().getSimpleName(),
                where,
                SafeTrace.of(error));
        return "the worker met an unexpected error " + where + " ("
                + error.getClass().getSimpleName() + "); the administrator's logs have the details";
    }

    /** Lets the answer's writer store what is pending; an interrupt (the worker closing) cuts it short. */
    private static void finish(AnswerWriter answer) {
        try {
            answer.finish();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How the attempt ended: {@code outcome} when it was recorded, lost when its lease was. */
    static WorkerMetrics.Outcome record(RunContext run, boolean recorded, WorkerMetrics.Outcome outcome) {
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
