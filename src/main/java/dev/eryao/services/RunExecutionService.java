package dev.eryao.services;

import dev.eryao.core.config.WorkerSettings;
import dev.eryao.core.db.Transactions;
import dev.eryao.models.AgentChatMessage;
import dev.eryao.models.LlmModel;
import dev.eryao.models.MessageRole;
import dev.eryao.models.PointsLedgerEntry;
import dev.eryao.models.RunStatus;
import dev.eryao.provider.ChatMessage;
import dev.eryao.provider.Completion;
import dev.eryao.repositories.ActiveModel;
import dev.eryao.repositories.EndedRun;
import dev.eryao.repositories.HoldRepository;
import dev.eryao.repositories.LlmModelRepository;
import dev.eryao.repositories.MessageRepository;
import dev.eryao.repositories.PointsBalanceRepository;
import dev.eryao.repositories.PointsLedgerRepository;
import dev.eryao.repositories.RunClaim;
import dev.eryao.repositories.RunRepository;
import dev.eryao.repositories.RunUsage;
import dev.eryao.repositories.Settlement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The worker's side of agent runs, each method one unit of work: claim the next run and read what
 * performing it needs (raising its hold when the conversation makes it cost more than its input
 * alone); record its success — assistant message, output, usage, one ledger debit and the hold's
 * release, all in one transaction; or record its failure, to be retried with backoff (keeping the
 * hold) or failed for good (releasing it). Every recording is guarded by the claim, so an attempt
 * whose lease was lost changes nothing.
 */
public final class RunExecutionService {
    /** How a run's debit is named in the ledger: one per run, so a retried completion cannot charge twice. */
    public static final String LEDGER_REFERENCE = "agent_run";
    /**
     * The most messages of a run's chain read for its context, its question among them (fewer are
     * sent when the model's window is smaller).
     */
    static final int CONTEXT_MESSAGES = 100;
    /** Why a run stopped while its model was writing is recorded cancelled. */
    static final String STOPPED = "stopped before its model finished: cancelled by its owner or its session deleted";

    private final Transactions transactions;
    private final RunRepository queue;
    private final MessageRepository messages;
    private final LlmModelRepository llms;
    private final PointsBalanceRepository balances;
    private final HoldRepository holds;
    private final PointsLedgerRepository ledger;
    private final WorkerSettings settings;
    private final int maxOutputTokens;
    private final RunMetrics metrics;

    /** @param maxOutputTokens the output cap sent to models ({@code ERYAO_LLM__MAX_OUTPUT_TOKENS}) */
    public RunExecutionService(
            Transactions transactions,
            RunRepository queue,
            MessageRepository messages,
            LlmModelRepository llms,
            PointsBalanceRepository balances,
            HoldRepository holds,
            PointsLedgerRepository ledger,
            WorkerSettings settings,
            int maxOutputTokens,
            RunMetrics metrics) {
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
    }

    /** Claims the next due run for {@code worker} under a lease, with what performing it needs. */
    public Optional<RunContext> claimNext(String worker, Instant now) {
        Instant leaseExpires = leaseEnd(now);
        Optional<RunContext> claimed = transactions.fromTransaction(
                () -> queue.claim(worker, now, leaseExpires).map(claim -> context(claim, worker, now)));
        claimed.ifPresent(run -> metrics.claimed());
        return claimed;
    }

    /**
     * Records a successful attempt: the assistant's message, the run's output and usage, a debit of
     * its price and the release of its hold. Text PostgreSQL cannot store (U+0000) is replaced.
     *
     * @return false when the claim was lost (lease expired, run taken again): nothing is recorded
     * @throws IllegalArgumentException when the usage is one {@link RunContext#usageProblem} refuses
     */
    public boolean succeed(RunContext run, String worker, Completion completion, Instant now) {
        if (run.problem() != null) {
            throw new IllegalArgumentException("a run that cannot be performed cannot succeed: " + run.problem());
        }
        String refused = run.usageProblem(completion);
        if (refused != null) {
            throw new IllegalArgumentException("usage that cannot be charged: " + refused);
        }
        long cost = run.price().price(completion.promptTokens(), completion.completionTokens());
        try {
            transactions.fromTransaction(() -> recordSuccess(run, worker, completion, cost, now));
        } catch (LostClaimException lost) {
            return false;
        }
        metrics.left(RunStatus.SUCCEEDED, false);
        return true;
    }

    private boolean recordSuccess(RunContext run, String worker, Completion completion, long cost, Instant now) {
        String content = StorableText.of(completion.content());
        RunUsage usage = new RunUsage(
                completion.promptTokens(), completion.completionTokens(), cost, completion.usageEstimated());
        // The claim first: an attempt whose lease was lost must not touch the points (the run's
        // hold may already have been released by whoever finished it).
        if (!queue.succeed(run.claim(), worker, content, usage, now)) {
            throw new LostClaimException();
        }
        charge(run, cost);
        addAnswer(run, content, completion.completionTokens(), false, now);
        return true;
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
        String refused = run.usageProblem(partial);
        if (refused != null) {
            throw new IllegalArgumentException("usage that cannot be charged: " + refused);
        }
        long cost = run.price().price(partial.promptTokens(), partial.completionTokens());
        try {
            transactions.fromTransaction(() -> {
                String content = StorableText.of(partial.content());
                RunUsage usage = new RunUsage(
                        partial.promptTokens(), partial.completionTokens(), cost, partial.usageEstimated());
                if (!queue.stop(run.claim(), worker, content, STOPPED, usage, now)) {
                    throw new LostClaimException();
                }
                charge(run, cost);
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

    /** Takes the run's price from its hold (releasing the rest) and writes its one ledger row. */
    private void charge(RunContext run, long cost) {
        // A free run holds nothing, takes nothing and writes no ledger row: the balance is not touched.
        Settlement paid = cost == 0 && run.heldPoints() == 0
                ? Settlement.NONE
                : holds.settle(run.ownerId(), cost, run.heldPoints());
        if (paid.charged() < cost) {
            queue.recordChargeCapped(run.claim().runId(), paid.charged());
            metrics.chargeCapped(cost - paid.charged());
        }
        metrics.charged(run.factoryName(), run.modelCode(), paid.charged());
        if (paid.charged() > 0) {
            UUID runId = run.claim().runId();
            ledger.add(new PointsLedgerEntry(
                    run.ownerId(),
                    -paid.charged(),
                    paid.balanceAfter(),
                    "agent run",
                    LEDGER_REFERENCE,
                    runId,
                    LEDGER_REFERENCE + ":" + runId));
        }
    }

    /**
     * Stores piece {@code index} of what the attempt's model has written (every event stream of the
     * run is told) and extends the lease; says whether the run is to stop, or the claim was lost.
     */
    public AttemptCheck append(RunContext run, String worker, int index, String text, Instant now) {
        String storable = StorableText.of(text);
        return AttemptCheck.of(transactions.fromTransaction(
                () -> queue.append(run.claim(), worker, index, storable, now, leaseEnd(now))));
    }

    /** Extends the attempt's lease; says whether the run is to stop, or the claim was lost. */
    public AttemptCheck checkIn(RunContext run, String worker, Instant now) {
        return AttemptCheck.of(transactions.fromTransaction(() -> queue.checkIn(run.claim(), worker, leaseEnd(now))));
    }

    private Instant leaseEnd(Instant now) {
        return now.plus(settings.lease());
    }

    /**
     * Records a failed attempt: queued again after a backoff (doubling with each attempt) when it
     * may pass and attempts remain, failed for good otherwise. A failed attempt charges nothing.
     * A run whose stop was requested is never queued again, whichever came first, the cancel or
     * the failure: it ends cancelled, keeping what its model wrote (as the assistant's message
     * marked stopped, when there is any), its hold released.
     *
     * @param written what the attempt's model wrote before it failed
     * @return false when the claim was lost: nothing is recorded
     */
    public boolean fail(RunContext run, String worker, String error, boolean retryable, String written, Instant now) {
        RunClaim claim = run.claim();
        boolean lastAttempt = !retryable || claim.attempt() >= settings.maxAttempts();
        Instant retryAt = lastAttempt ? null : now.plus(backoff(claim.attempt()));
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
            holds.release(List.of(failed.get()));
            if (failed.get().status() == RunStatus.CANCELLED && !storableText.isEmpty()) {
                addAnswer(run, storableText, null, true, now);
            }
            return Optional.of(failed.get().status());
        });
        left.ifPresent(status -> metrics.left(status, false));
        return left.isPresent();
    }

    /** Takes back runs whose worker let the lease expire; the ids of those taken back. */
    public List<UUID> rescueExpired(Instant now) {
        List<EndedRun> rescued = transactions.fromTransaction(() -> {
            List<EndedRun> expired = queue.rescueExpired(now, settings.maxAttempts(), RunService.SESSION_DELETED);
            holds.release(expired);
            return expired;
        });
        rescued.forEach(run -> metrics.left(run.status(), true));
        return rescued.stream().map(EndedRun::runId).toList();
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
        List<ChatMessage> chain = claim.questionId() == null
                ? List.of(new ChatMessage(MessageRole.USER.wireName(), claim.input()))
                : messages.chainTo(claim.ownerId(), claim.questionId(), CONTEXT_MESSAGES).stream()
                        .map(message -> new ChatMessage(message.role(), message.content()))
                        .toList();
        ContextFit fit = ContextFit.of(chain, price);
        if (fit.problem() != null) {
            return RunContext.unusable(claim, fit.problem());
        }
        List<ChatMessage> history = fit.messages();
        long promptBound = RunPrice.promptTokenBoundOf(history);
        long hold = claim.heldPoints();
        // Enqueue held for the input alone; the conversation sent with it may cost more. Raise the
        // hold before any model call, or fail the run for free when the owner cannot cover it.
        long needed = price.free() ? 0 : price.hold(promptBound);
        if (needed > hold) {
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
                null);
    }

    /** Thrown inside a unit of work to roll it back when the claim turns out to be lost. */
    private static final class LostClaimException extends RuntimeException {
        LostClaimException() {
            super(null, null, false, false);
        }
    }
}
