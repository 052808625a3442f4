package dev.eryao.services;

import dev.eryao.core.config.RunsSettings;
import dev.eryao.core.config.WorkerSettings;
import dev.eryao.core.db.Transactions;
import dev.eryao.models.AgentChatMessage;
import dev.eryao.models.AgentRunDelta;
import dev.eryao.models.LlmModel;
import dev.eryao.models.MessageRole;
import dev.eryao.models.RunStatus;
import dev.eryao.provider.ChatMessage;
import dev.eryao.provider.Completion;
import dev.eryao.repositories.ActiveModel;
import dev.eryao.repositories.ContextStep;
import dev.eryao.repositories.EndedRun;
import dev.eryao.repositories.HoldRepository;
import dev.eryao.repositories.LlmModelRepository;
import dev.eryao.repositories.MessageRepository;
import dev.eryao.repositories.MessageText;
import dev.eryao.repositories.ParkedRunRepository;
import dev.eryao.repositories.PointsBalanceRepository;
import dev.eryao.repositories.PointsLedgerRepository;
import dev.eryao.repositories.RunClaim;
import dev.eryao.repositories.RunRepository;
import dev.eryao.repositories.RunStepRepository;
import dev.eryao.repositories.RunUsage;
import dev.eryao.repositories.Settlement;
import dev.eryao.repositories.StepRecord;
import dev.eryao.services.tools.RegisteredTool;
import dev.eryao.services.tools.RegisteredTools;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.Collectors;

/**
 * The worker's side of agent runs, each method one unit of work: claim the next run and read what
 * performing it needs (raising its hold when the conversation makes it cost more than its input
 * alone); record its success — assistant message, output, usage, one ledger debit and the hold's
 * release, all in one transaction; or record its failure, to be retried with backoff (keeping the
 * hold) or failed for good (charged what its recorded steps were, the rest of its hold released).
 * Every recording is guarded by the claim, so an attempt whose lease was lost changes nothing.
 */
public final class RunExecutionService {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RunExecutionService.class);

    /** How a run's debit is named in the ledger: one per run, so a retried completion cannot charge twice. */
    public static final String LEDGER_REFERENCE = "agent_run";
    /**
     * The most messages of a run's chain read for its context, its question among them (fewer are
     * sent when the model's window is smaller).
     */
    static final int CONTEXT_MESSAGES = 100;
    /**
     * The most recorded steps of earlier runs read for a run's context (their tool calls and
     * results), the newest runs' first: with results of up to 64K characters each, a bound on what
     * one claim may read.
     */
    static final int CONTEXT_STEPS = 200;
    /**
     * The key of the run announcements that may leave a run to claim ({@link RunRepository#QUEUE_KEY}):
     * what an idle worker waits on.
     */
    public static final String CLAIMABLE_KEY = RunRepository.QUEUE_KEY;
    /** Why a run ended that its model ended: it answered without calling a tool. */
    public static final String STOP_END_TURN = "end_turn";
    /** Why a run ended that took as many model steps as it may. */
    public static final String STOP_MAX_STEPS = "max_steps";
    /** Why a run ended whose owner could not cover its next step. */
    public static final String STOP_INSUFFICIENT_POINTS = "insufficient_points";
    /** Why a run ended whose next step could pass its own max_points. */
    public static final String STOP_MAX_POINTS = "max_points";
    /** Why a run stopped while its model was writing is recorded cancelled. */
    static final String STOPPED = "stopped before its model finished: cancelled by its owner or its session deleted";

    private final Transactions transactions;
    private final RunRepository queue;
    private final MessageRepository messages;
    private final LlmModelRepository llms;
    private final PointsBalanceRepository balances;
    private final HoldRepository holds;
    private final PointsLedgerRepository ledger;
    private final RunStepRepository steps;
    private final RegisteredTools registeredTools;
    private final WorkerSettings settings;
    private final int maxOutputTokens;
    private final RunMetrics metrics;
    private final ParkedRunRepository parked;
    private final EndedRuns endedRuns;
    private final Duration parkedExpiry;
    /** The retries this service scheduled, for {@link #nextRetryAfter}. */
    private final ConcurrentSkipListSet<Instant> retries = new ConcurrentSkipListSet<>();

    /**
     * @param parkedExpiry how long a run may wait for its owner before it ends expired
     *                     ({@code ERYAO_RUNS__PARKED_EXPIRY_SECONDS})
     * @param maxOutputTokens the output cap sent to models ({@code ERYAO_LLM__MAX_OUTPUT_TOKENS}) */
    public RunExecutionService(
            Transactions transactions,
            RunRepository queue,
            MessageRepository messages,
            LlmModelRepository llms,
            PointsBalanceRepository balances,
            HoldRepository holds,
            PointsLedgerRepository ledger,
            EndedRuns endedRuns,
            RunStepRepository steps,
            RegisteredTools registeredTools,
            WorkerSettings settings,
            int maxOutputTokens,
            RunMetrics metrics,
            ParkedRunRepository parked,
            Duration parkedExpiry) {
        this.parked = parked;
        this.parkedExpiry = parkedExpiry;
        this.steps = steps;
        this.registeredTools = registeredTools;
        this.metrics = metrics;
        this.maxOutputTokens = maxOutputTokens;
        this.transactions = transactions;
        this.queue = queue;
        this.messages = messages;
        this.llms = llms;
        this.balances = balances;
        this.holds = holds;
        this.ledger = ledger;
        this.settings = settings;
        this.endedRuns = endedRuns;
    }

    /** Claims the next due run for {@code worker} under a lease, with what performing it needs. */
    public Optional<RunContext> claimNext(String worker, Instant now) {
        return claim(worker, now, 1).stream().findFirst().map(this::withTools);
    }

    /**
     * Claims up to {@code limit} due runs for {@code worker} under a lease, each with what
     * performing it needs ({@link #claimRuns}, then {@link #prepare} for each); no two of one
     * session. Their registered tools are not resolved yet: {@link #withTools} does it.
     */
    public List<RunContext> claim(String worker, Instant now, int limit) {
        return claimRuns(worker, now, limit).stream()
                .map(claim -> prepare(claim, worker, now))
                .toList();
    }

    /**
     * Claims up to {@code limit} due runs for {@code worker} under a lease: one statement, in a
     * transaction of its own; no two of one session. A process has one fetch loop, which claims for
     * all its workers, so nothing else is done here: each run's context is read by the thread that
     * performs it ({@link #prepare}), in parallel with the others', not in turn on the fetch loop.
     */
    public List<ClaimedRun> claimRuns(String worker, Instant now, int limit) {
        Instant leaseExpires = leaseEnd(now);
        List<ClaimedRun> claimed =
                transactions.fromTransaction(() -> queue.claim(worker, now, leaseExpires, limit)).stream()
                        .map(ClaimedRun::new)
                        .toList();
        claimed.forEach(run -> metrics.claimed());
        return claimed;
    }

    /**
     * What performing a claimed run needs, read in a transaction of its own once the claim is
     * committed: its model, its question moved under the answer it follows, the conversation by
     * ids fitted to the model's window, the steps a retried attempt continues after, and its hold
     * raised to cover the conversation (or the reason it cannot be performed).
     */
    public RunContext prepare(ClaimedRun run, String worker, Instant now) {
        return transactions.fromTransaction(() -> context(run.claim(), worker, now));
    }

    /**
     * The claimed run with the registered tools its selection names now (a server gone or down
     * leaves its tools out); called once the claim is committed.
     */
    public RunContext withTools(RunContext run) {
        List<String> selection = ToolSelection.parse(run.claim().toolSelectionJson());
        if (run.problem() != null || selection.isEmpty()) {
            return run;
        }
        List<RegisteredTool> offered;
        try {
            offered = registeredTools.resolveAvailable(selection);
        } catch (RuntimeException e) {
            // What the selection names has gone since the run was accepted: the model is offered none.
            log.info(
                    "run {}: its tools could not be resolved ({}); its model is offered none",
                    run.runId(),
                    e.getClass().getSimpleName());
            offered = List.of();
        }
        return run.offering(offered);
    }

    /**
     * Records a successful attempt of a run that took one model step: {@link #finishTurn} from the
     * totals its claim started with.
     */
    public boolean succeed(RunContext run, String worker, Completion completion, Instant now) {
        return finishTurn(run, worker, completion, run.totals(), now, now);
    }

    /**
     * Records the last model step (the model answered without calling a tool) and the run's
     * success, in one transaction: the step, the assistant's message, the run's output and usage
     * over all its steps, one debit of what its steps owe and the release of its hold. Text
     * PostgreSQL cannot store (U+0000) is replaced.
     *
     * @param before    what the run's earlier steps came to, with its hold (raised to cover this step)
     * @param stepStart when this model step began
     * @return false when the claim was lost (lease expired, run taken again): nothing is recorded
     * @throws IllegalArgumentException when the usage is one {@link RunContext#usageProblem} refuses
     */
    public boolean finishTurn(
            RunContext run, String worker, Completion completion, RunTotals before, Instant stepStart, Instant now) {
        if (run.problem() != null) {
            throw new IllegalArgumentException("a run that cannot be performed cannot succeed: " + run.problem());
        }
        String refused = run.usageProblem(completion);
        if (refused != null) {
            throw new IllegalArgumentException("usage that cannot be charged: " + refused);
        }
        long price = run.price().price(completion.promptTokens(), completion.completionTokens());
        RunTotals after = withModelStep(before, completion, price);
        String content = StorableText.of(completion.content());
        StepRecord step = modelStep(
                before.nextIndex(), content, List.of(), completion, after.owed() - before.owed(), stepStart, now);
        try {
            transactions.fromTransaction(() -> {
                recordStepOrLose(run, worker, step, now);
                end(run, worker, RunStatus.SUCCEEDED, content, null, STOP_END_TURN, after, now);
                addAnswer(run, content, completion.completionTokens(), false, now);
                return true;
            });
        } catch (LostClaimException lost) {
            return false;
        }
        metrics.left(RunStatus.SUCCEEDED, false);
        return true;
    }

    /**
     * Ends a run that a limit stopped between steps ({@code max_steps}, {@code insufficient_points},
     * {@code max_points}): succeeded with why it stopped, its output the text its last model step
     * wrote (kept as the assistant's message when there is any), charged what its steps owe.
     *
     * @return false when the claim was lost: nothing is recorded
     */
    public boolean endEarly(
            RunContext run, String worker, RunTotals totals, String stopReason, String lastText, Instant now) {
        String content = StorableText.of(lastText == null ? "" : lastText);
        try {
            transactions.fromTransaction(() -> {
                end(run, worker, RunStatus.SUCCEEDED, content, null, stopReason, totals, now);
                if (!content.isEmpty()) {
                    addAnswer(run, content, null, false, now);
                }
                return true;
            });
        } catch (LostClaimException lost) {
            return false;
        }
        metrics.left(RunStatus.SUCCEEDED, false);
        return true;
    }

    /**
     * Records a model step that asked for tools, with what it wrote beside them, its usage and what
     * it owes (its price, at most what is left of the hold); the lease is extended.
     *
     * @return the run's totals after it; empty when the claim was lost (nothing is recorded)
     */
    public Optional<RunTotals> recordModelStep(
            RunContext run,
            String worker,
            Completion completion,
            List<StepView.ToolCallView> calls,
            RunTotals before,
            Instant stepStart,
            Instant now) {
        String refused = run.usageProblem(completion);
        if (refused != null) {
            throw new IllegalArgumentException("usage that cannot be charged: " + refused);
        }
        long price = run.price().price(completion.promptTokens(), completion.completionTokens());
        RunTotals after = withModelStep(before, completion, price);
        StepRecord step = modelStep(
                before.nextIndex(),
                StorableText.of(completion.content()),
                calls,
                completion,
                after.owed() - before.owed(),
                stepStart,
                now);
        Boolean stop = transactions.fromTransaction(() -> steps.record(run.claim(), worker, step, now, leaseEnd(now)));
        return stop == null ? Optional.empty() : Optional.of(after);
    }

    /**
     * Records a tool step: call {@code callId} of {@code tool} with {@code arguments}, and its
     * result or error, charged {@code charged} (at most what is left of the hold); the lease is
     * extended. Says whether the run is to stop, or the claim was lost (nothing recorded).
     */
    public AttemptCheck recordToolStep(
            RunContext run,
            String worker,
            RunTotals before,
            String tool,
            String callId,
            String arguments,
            String result,
            boolean error,
            long charged,
            Instant stepStart,
            Instant now) {
        StepRecord step = new StepRecord(
                before.nextIndex(),
                StepRecord.TOOL,
                null,
                null,
                StorableText.of(tool),
                StorableText.of(callId),
                StorableText.of(arguments),
                StorableText.of(result),
                error,
                null,
                null,
                false,
                Math.min(charged, Math.max(0, before.heldPoints() - before.owed())),
                stepStart,
                now);
        return AttemptCheck.of(Optional.ofNullable(
                transactions.fromTransaction(() -> steps.record(run.claim(), worker, step, now, leaseEnd(now)))));
    }

    /** How a raise of a run's hold before its next step came out. */
    public enum Raise {
        RAISED,
        /** the owner has too few points available: nothing changed */
        SHORT,
        /** the claim was lost: nothing changed */
        LOST
    }

    /** Raises the running run's hold from {@code from} to {@code to} (more), from its owner's available points. */
    public Raise raiseHold(RunContext run, String worker, long from, long to, Instant now) {
        if (to <= from) {
            return Raise.RAISED;
        }
        try {
            return transactions.fromTransaction(
                    () -> holds.raise(run.claim(), worker, from, to, now) ? Raise.RAISED : Raise.SHORT);
        } catch (HoldRepository.LostClaim lost) {
            return Raise.LOST;
        }
    }

    /** The owner's points available beside what they hold, for a message that says why a step was not taken. */
    public long available(RunContext run) {
        return transactions.fromTransaction(
                () -> balances.accountOf(run.ownerId()).available());
    }

    /** {@code before} with a model step that used the completion's tokens at {@code price}, owing at most the hold's rest. */
    private static RunTotals withModelStep(RunTotals before, Completion completion, long price) {
        long left = Math.max(0, before.heldPoints() - before.owed());
        return before.plusModelStep(
                completion.promptTokens(),
                completion.completionTokens(),
                completion.usageEstimated(),
                price,
                Math.min(price, left));
    }

    private static StepRecord modelStep(
            int index,
            String content,
            List<StepView.ToolCallView> calls,
            Completion completion,
            long charged,
            Instant started,
            Instant now) {
        return new StepRecord(
                index,
                StepRecord.MODEL,
                content,
                calls.isEmpty() ? null : StorableText.of(StepView.callsJson(calls)),
                null,
                null,
                null,
                null,
                false,
                completion.promptTokens(),
                completion.completionTokens(),
                completion.usageEstimated(),
                charged,
                started,
                now);
    }

    private void recordStepOrLose(RunContext run, String worker, StepRecord step, Instant now) {
        if (steps.record(run.claim(), worker, step, now, leaseEnd(now)) == null) {
            throw new LostClaimException();
        }
    }

    /** The run finished with its totals: recorded (guarded by the claim), then charged. */
    private void end(
            RunContext run,
            String worker,
            RunStatus status,
            String output,
            String error,
            String stopReason,
            RunTotals totals,
            Instant now) {
        RunUsage usage = new RunUsage(
                clamp(totals.inputTokens()), clamp(totals.outputTokens()), totals.priced(), totals.estimated());
        // The claim first: an attempt whose lease was lost must not touch the points (the run's
        // hold may already have been released by whoever finished it).
        boolean recorded = status == RunStatus.SUCCEEDED
                ? queue.succeed(run.claim(), worker, output, stopReason, usage, now)
                : queue.stop(run.claim(), worker, output, error, usage, now);
        if (!recorded) {
            throw new LostClaimException();
        }
        charge(run, totals.priced(), totals.owed(), totals.heldPoints());
    }

    private static int clamp(long tokens) {
        return (int) Math.min(tokens, Integer.MAX_VALUE);
    }

    /**
     * Records an attempt stopped before its model finished (its owner cancelled the run, or deleted
     * its session): the run cancelled with what the model wrote until then, kept as the assistant's
     * message marked stopped (none when it wrote nothing), and what that used charged once, as a
     * success would be.
     *
     * @param partial what the model wrote and used until it was stopped (usage estimated when the
     *                provider sent none; see ChatCompletionsClient)
     * @return false when the claim was lost: nothing is recorded
     */
    public boolean stop(RunContext run, String worker, Completion partial, Instant now) {
        return stop(run, worker, partial, run.totals(), now);
    }

    /**
     * {@link #stop} after earlier steps: the run is charged what they owe and what the stopped
     * step used (at most the hold's rest). {@code partial} is null when the run was stopped between
     * steps (nothing of a model step to keep); the output is then empty.
     */
    public boolean stop(RunContext run, String worker, Completion partial, RunTotals before, Instant now) {
        if (partial != null) {
            String refused = run.usageProblem(partial);
            if (refused != null) {
                throw new IllegalArgumentException("usage that cannot be charged: " + refused);
            }
        }
        RunTotals after = partial == null
                ? before
                : withModelStep(before, partial, run.price().price(partial.promptTokens(), partial.completionTokens()));
        String content = partial == null ? "" : StorableText.of(partial.content());
        try {
            transactions.fromTransaction(() -> {
                end(run, worker, RunStatus.CANCELLED, content, STOPPED, "cancelled", after, now);
                if (!content.isEmpty()) {
                    addAnswer(run, content, partial.completionTokens(), true, now);
                }
                return true;
            });
        } catch (LostClaimException lost) {
            return false;
        }
        metrics.left(RunStatus.CANCELLED, false);
        return true;
    }

    /**
     * The run's answer, following its question (a run older than questions were recorded has none
     * to follow: its answer follows nothing).
     */
    private void addAnswer(RunContext run, String content, Integer tokens, boolean stopped, Instant now) {
        messages.addAnswer(
                AgentChatMessage.answer(
                        run.sessionId(),
                        run.ownerId(),
                        run.runId(),
                        run.claim().questionId(),
                        content,
                        tokens,
                        stopped),
                now);
    }

    /**
     * Takes what the run owes from its hold (releasing the rest) and writes its one ledger row;
     * {@code priced} is what its usage came to, more than it owes only when a step's usage passed
     * what its hold allowed for (charge_capped).
     */
    private void charge(RunContext run, long priced, long owed, long held) {
        Span traced = RunTraces.charging(owed, held);
        try (Scope ignored = traced.makeCurrent()) {
            traced.setAttribute("eryao.points.charged", settle(run, priced, owed, held));
        } finally {
            traced.end();
        }
    }

    /** The charge itself: settled from the hold, capped at it, written to the ledger; returns what was charged. */
    private long settle(RunContext run, long priced, long owed, long held) {
        // A free run holds nothing, takes nothing and writes no ledger row: the balance is not touched.
        Settlement paid = owed == 0 && held == 0 ? Settlement.NONE : holds.settle(run.ownerId(), owed, held);
        if (paid.charged() < priced) {
            queue.recordChargeCapped(run.claim().runId(), paid.charged());
            metrics.chargeCapped(priced - paid.charged());
        }
        metrics.charged(run.factoryName(), run.modelCode(), paid.charged());
        if (paid.charged() > 0) {
            ledger.add(EndedRuns.debit(run.ownerId(), run.claim().runId(), paid.charged(), paid.balanceAfter()));
        }
        return paid.charged();
    }

    /**
     * Stores piece {@code index} of what the attempt's model has written (every event stream of the
     * run is told) and extends the lease; says whether the run is to stop, or the claim was lost.
     */
    public AttemptCheck append(RunContext run, String worker, int index, String text, Instant now) {
        return append(run, worker, index, AgentRunDelta.TEXT, text, now);
    }

    /**
     * {@link #append} of a piece of {@code kind}: text, or a tool call or result as its event's
     * JSON (AgentRunDelta), numbered in the same sequence as the text.
     */
    public AttemptCheck append(RunContext run, String worker, int index, String kind, String content, Instant now) {
        String storable = StorableText.of(content);
        // One statement (RunRepository's APPEND), so no BEGIN and COMMIT around it: a streamed
        // answer's pieces are the most frequent write, and each saves a round trip.
        return AttemptCheck.of(transactions.oneStatement(
                () -> queue.append(run.claim(), worker, index, kind, storable, now, leaseEnd(now))));
    }

    /** Extends the attempt's lease; says whether the run is to stop, or the claim was lost. */
    public AttemptCheck checkIn(RunContext run, String worker, Instant now) {
        return AttemptCheck.of(transactions.oneStatement(() -> queue.checkIn(run.claim(), worker, leaseEnd(now))));
    }

    private Instant leaseEnd(Instant now) {
        return now.plus(settings.lease());
    }

    /**
     * Records a failed attempt: queued again after a backoff (doubling with each attempt) when it
     * may pass and attempts remain, failed for good otherwise. The failed step charges nothing; a
     * run this ends is charged what its recorded steps were (over every attempt: they were used),
     * at most its hold, and the rest released. A run whose stop was requested is never queued
     * again, whichever came first, the cancel or the failure: it ends cancelled, keeping what its
     * model wrote (as the assistant's message marked stopped, when there is any).
     *
     * @param written what the attempt's model wrote before it failed
     * @return false when the claim was lost: nothing is recorded
     */
    public boolean fail(RunContext run, String worker, String error, boolean retryable, String written, Instant now) {
        RunClaim claim = run.claim();
        boolean lastAttempt = !retryable || claim.tries() >= settings.maxAttempts();
        Instant retryAt = lastAttempt ? null : now.plus(backoff(claim.tries()));
        String storableError = StorableText.of(error);
        String storableText = StorableText.of(written);
        Optional<RunStatus> left = transactions.fromTransaction(() -> {
            Optional<EndedRun> failed = queue.fail(
                    claim,
                    worker,
                    storableError,
                    retryAt,
                    storableText,
                    STOPPED + "; its model's call had failed: " + storableError,
                    now);
            if (failed.isEmpty()) {
                return Optional.<RunStatus>empty();
            }
            // The steps as the database has them, not as this attempt counted them: a run that
            // could not be performed on a retry (its model gone) knows none of its earlier steps.
            for (HoldRepository.Charged charged : endedRuns.settle(List.of(failed.get()))) {
                if (run.factoryName() != null) {
                    metrics.charged(
                            run.factoryName(),
                            run.modelCode(),
                            charged.settlement().charged());
                }
            }
            if (failed.get().status() == RunStatus.CANCELLED && !storableText.isEmpty()) {
                addAnswer(run, storableText, null, true, now);
            }
            return Optional.of(failed.get().status());
        });
        left.ifPresent(status -> metrics.left(status, false));
        if (retryAt != null && left.isPresent() && left.get() == RunStatus.QUEUED) {
            retries.add(retryAt);
        }
        return left.isPresent();
    }

    /**
     * When the earliest retry this service scheduled that is not due at {@code now} will be, if
     * any: a worker waits for it as for a new run (a retry becoming due is announced by nobody).
     * Retries other processes schedule are found by the worker's fallback poll.
     */
    public Optional<Instant> nextRetryAfter(Instant now) {
        retries.headSet(now, true).clear();
        return Optional.ofNullable(retries.higher(now));
    }

    /**
     * Takes back runs whose worker let the lease expire; those it ends are charged what their
     * recorded steps were (at most their holds) and give the rest back, in the same transaction.
     * The ids of those taken back.
     */
    public List<UUID> rescueExpired(Instant now) {
        List<EndedRun> rescued = transactions.fromTransaction(() -> {
            List<EndedRun> expired = queue.rescueExpired(now, settings.maxAttempts(), RunService.SESSION_DELETED);
            endedRuns.settle(expired);
            return expired;
        });
        rescued.forEach(run -> metrics.left(run.status(), true));
        return rescued.stream().map(EndedRun::runId).toList();
    }

    /** How a park came out. */
    public enum Park {
        PARKED,
        /** its stop was requested meanwhile: nothing changed, the run is to be stopped */
        STOP,
        /** the claim was lost: nothing changed */
        LOST
    }

    /**
     * Parks the claimed run until its owner answers {@code pending}: its lease given up (no worker
     * waits with it), its hold kept, its recorded steps what the attempt that resumes it starts from.
     */
    public Park park(RunContext run, String worker, PendingCalls pending, Instant now) {
        boolean parkedNow = transactions.fromTransaction(
                () -> parked.park(run.claim(), worker, pending.status(), pending.json(), now));
        if (parkedNow) {
            metrics.parked();
            return Park.PARKED;
        }
        // No row: lost, or to stop. The check-in tells which (and changes nothing if lost).
        AttemptCheck check = checkIn(run, worker, now);
        return check.claimHeld() ? Park.STOP : Park.LOST;
    }

    /** Why a run left waiting for its owner ended. */
    static String expiredReason(Duration expiry) {
        return "expired: it waited for its owner's answer longer than " + expiry.toSeconds()
                + " s (ERYAO_RUNS__PARKED_EXPIRY_SECONDS)";
    }

    /**
     * Ends the runs that have waited for their owner longer than the parked expiry: expired, charged
     * what their steps used, the rest of their holds given back. The ids of those ended.
     */
    public List<UUID> expireParked(Instant now) {
        List<EndedRun> expired = transactions.fromTransaction(() -> {
            List<EndedRun> ended = parked.expire(now.minus(parkedExpiry), expiredReason(parkedExpiry), now);
            endedRuns.settle(ended);
            return ended;
        });
        expired.forEach(run -> metrics.left(run.status(), false));
        return expired.stream().map(EndedRun::runId).toList();
    }

    Duration backoff(int attempt) {
        return settings.retryBackoff().multipliedBy(1L << Math.min(20, attempt - 1));
    }

    private RunContext context(RunClaim claim, String worker, Instant now) {
        if (claim.llmId() == null) {
            return RunContext.unusable(claim, "no model chosen: give llm_id with the run or set one on the session");
        }
        Optional<ActiveModel> model = llms.getActiveWithFactory(claim.llmId());
        if (model.isEmpty()) {
            return RunContext.unusable(claim, "the model " + claim.llmId() + " is no longer in the catalog");
        }
        LlmModel llm = model.get().llm();
        String factory = model.get().factoryName();
        RunPrice price = RunPrice.of(llm, maxOutputTokens);
        if (claim.questionId() != null) {
            messages.followAnswerOfParent(claim.ownerId(), claim.questionId(), now);
        }
        List<ContextFit.Link> chain = claim.questionId() == null
                ? List.of(new ContextFit.Link(new ChatMessage(MessageRole.USER.wireName(), claim.input())))
                : chain(claim);
        ContextFit fit = ContextFit.of(chain, price);
        if (fit.problem() != null) {
            return RunContext.unusable(claim, fit.problem());
        }
        List<ChatMessage> history = fit.messages();
        long promptBound = RunPrice.promptTokenBoundOf(history);
        long hold = claim.heldPoints();
        // Only an attempt can record steps, so a first attempt has none to read: the claim stays four
        // statements for every run that is not a retry.
        List<StepView> recorded = claim.attempt() == 1
                ? List.of()
                : steps.ofRun(claim.ownerId(), claim.runId()).stream()
                        .map(StepView::of)
                        .toList();
        // Enqueue held for the input alone; the conversation sent with it may cost more. Raise the
        // hold before any model call, or fail the run for free when the owner cannot cover it. (A
        // run continuing after recorded steps is raised step by step by its worker instead.)
        long needed = price.free() ? 0 : price.hold(promptBound);
        if (recorded.isEmpty() && needed > hold) {
            if (!holds.raise(claim, worker, needed, now)) {
                return RunContext.unusable(
                        claim,
                        "not enough points for this conversation: the run may cost up to "
                                + needed + " points, and "
                                + (hold + balances.accountOf(claim.ownerId()).available())
                                + " were available to it");
            }
            hold = needed;
        }
        return new RunContext(
                claim,
                claim.ownerId(),
                claim.sessionId(),
                llm.getRequestUrl(),
                factory,
                llm.getModelCode(),
                price,
                history,
                promptBound,
                hold,
                null,
                recorded,
                claim.maxSteps() == null ? RunsSettings.DEFAULT_MAX_STEPS : claim.maxSteps(),
                claim.maxPoints(),
                List.of(),
                ClientTools.parse(claim.clientToolsJson()),
                PendingCalls.parse(claim.pendingCallsJson()));
    }

    /**
     * The chain to the run's question, newest first, each earlier answer with the tool calls and
     * results of its run: one statement, and a second only when a run on the chain called tools,
     * whatever the chain's length.
     */
    private List<ContextFit.Link> chain(RunClaim claim) {
        List<MessageText> chain = messages.chainTo(claim.ownerId(), claim.questionId(), CONTEXT_MESSAGES);
        List<UUID> answeringRuns = chain.stream()
                .filter(MessageText::calledTools)
                .map(MessageText::runId)
                .distinct()
                .toList();
        Map<UUID, List<ContextStep>> stepsOfRun =
                steps.ofRunsForContext(claim.ownerId(), answeringRuns, CONTEXT_STEPS).stream()
                        .collect(Collectors.groupingBy(ContextStep::runId));
        return chain.stream()
                .map(message -> new ContextFit.Link(
                        new ChatMessage(message.role(), message.content()),
                        message.runId() == null
                                ? List.of()
                                : TurnSteps.of(stepsOfRun.getOrDefault(message.runId(), List.of()))))
                .toList();
    }

    /** Thrown inside a unit of work to roll it back when the claim turns out to be lost. */
    private static final class LostClaimException extends RuntimeException {
        LostClaimException() {
            super(null, null, false, false);
        }
    }
}
