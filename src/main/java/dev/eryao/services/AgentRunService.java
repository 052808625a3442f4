package dev.eryao.services;

import dev.eryao.core.config.WorkerSettings;
import dev.eryao.core.db.PageRequest;
import dev.eryao.core.db.Transactions;
import dev.eryao.llm.ChatMessage;
import dev.eryao.llm.Completion;
import dev.eryao.models.AgentChatMessage;
import dev.eryao.models.Llm;
import dev.eryao.models.MessageRole;
import dev.eryao.repositories.AgentMessageRepository;
import dev.eryao.repositories.AgentRunQueue;
import dev.eryao.repositories.LlmRepository;
import dev.eryao.repositories.PointsBalanceRepository;
import dev.eryao.repositories.PointsLedgerRepository;
import dev.eryao.models.PointsLedgerEntry;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The worker's side of agent runs, each method one unit of work: claim the next run and read what
 * performing it needs; record its success — assistant message, output, usage and one ledger debit,
 * all in one transaction; or record its failure, to be retried with backoff or failed for good.
 * Every recording is guarded by the claim, so an attempt whose lease was lost changes nothing.
 */
public final class AgentRunService {
    /** How a run's debit is named in the ledger: one per run, so a retried completion cannot charge twice. */
    public static final String LEDGER_REFERENCE = "agent_run";
    /** The most earlier messages sent as context. */
    static final int CONTEXT_MESSAGES = 100;

    private final Transactions transactions;
    private final AgentRunQueue queue;
    private final AgentMessageRepository messages;
    private final LlmRepository llms;
    private final PointsBalanceRepository balances;
    private final PointsLedgerRepository ledger;
    private final WorkerSettings settings;

    public AgentRunService(Transactions transactions, AgentRunQueue queue, AgentMessageRepository messages,
                           LlmRepository llms, PointsBalanceRepository balances,
                           PointsLedgerRepository ledger, WorkerSettings settings) {
        this.transactions = transactions;
        this.queue = queue;
        this.messages = messages;
        this.llms = llms;
        this.balances = balances;
        this.ledger = ledger;
        this.settings = settings;
    }

    /** Claims the next due run for {@code worker} under a lease, with what performing it needs. */
    public Optional<RunContext> claimNext(String worker, Instant now) {
        Instant leaseExpires = now.plus(Duration.ofSeconds(settings.leaseSeconds()));
        return transactions.fromTransaction(() -> queue.claim(worker, now, leaseExpires).map(this::context));
    }

    /**
     * Records a successful attempt: the assistant's message, the run's output and usage, and a
     * debit of its price — all of it, or what the balance holds (then marked as capped).
     *
     * @return false when the claim was lost (lease expired, run taken again): nothing is recorded
     */
    public boolean succeed(RunContext run, String worker, Completion completion, Instant now) {
        if (run.problem() != null) {
            throw new IllegalArgumentException("a run that cannot be performed cannot succeed: " + run.problem());
        }
        long cost = price(run, completion);
        try {
            return transactions.fromTransaction(() -> recordSuccess(run, worker, completion, cost, now));
        } catch (LostClaimException lost) {
            return false;
        }
    }

    private boolean recordSuccess(RunContext run, String worker, Completion completion, long cost, Instant now) {
        // A free run takes nothing and writes no ledger row, so the balance need not be read.
        PointsBalanceRepository.Debit debit = cost == 0
                ? PointsBalanceRepository.Debit.NONE
                : balances.debitUpTo(run.ownerId(), cost);
        AgentRunQueue.Usage usage = new AgentRunQueue.Usage(completion.promptTokens(),
                completion.completionTokens(), cost, debit.charged(), debit.charged() < cost);
        if (!queue.succeed(run.claim(), worker, completion.content(), usage, now)) {
            throw new LostClaimException(); // rolls the debit back
        }
        messages.add(new AgentChatMessage(run.sessionId(), run.ownerId(), MessageRole.ASSISTANT,
                completion.content(), completion.completionTokens()));
        if (debit.charged() > 0) {
            UUID runId = run.claim().runId();
            ledger.add(new PointsLedgerEntry(run.ownerId(), -debit.charged(), debit.balanceAfter(), "agent run",
                    LEDGER_REFERENCE, runId, LEDGER_REFERENCE + ":" + runId));
        }
        return true;
    }

    /**
     * Records a failed attempt: queued again after a backoff (doubling with each attempt) when it
     * may pass and attempts remain, failed for good otherwise. A failed run charges nothing.
     *
     * @return false when the claim was lost: nothing is recorded
     */
    public boolean fail(RunContext run, String worker, String error, boolean retryable, Instant now) {
        AgentRunQueue.Claim claim = run.claim();
        boolean lastAttempt = !retryable || claim.attempt() >= settings.maxAttempts();
        return transactions.fromTransaction(() -> lastAttempt
                ? queue.fail(claim, worker, error, now)
                : queue.retry(claim, worker, error, now.plus(backoff(claim.attempt())), now));
    }

    /** Takes back runs whose worker let the lease expire; the ids of those taken back. */
    public List<UUID> rescueExpired(Instant now) {
        return transactions.fromTransaction(() -> queue.rescueExpired(now, settings.maxAttempts()));
    }

    /** Points for a completion: tokens times the per-1,000 prices, rounded up to a whole point. */
    static long price(RunContext run, Completion completion) {
        BigDecimal thousand = BigDecimal.valueOf(1000);
        BigDecimal exact = run.inputPricePer1k().multiply(BigDecimal.valueOf(completion.promptTokens()))
                .add(run.outputPricePer1k().multiply(BigDecimal.valueOf(completion.completionTokens())))
                .divide(thousand);
        return exact.setScale(0, RoundingMode.CEILING).longValueExact();
    }

    Duration backoff(int attempt) {
        return Duration.ofMillis((long) settings.retryBackoffMs() << Math.min(20, attempt - 1));
    }

    private RunContext context(AgentRunQueue.Claim claim) {
        if (claim.llmId() == null) {
            return RunContext.unusable(claim, claim.ownerId(), claim.sessionId(),
                    "no model chosen: give llm_id with the run or set one on the session");
        }
        Optional<LlmRepository.ActiveModel> model = llms.getActiveWithFactory(claim.llmId());
        if (model.isEmpty()) {
            return RunContext.unusable(claim, claim.ownerId(), claim.sessionId(),
                    "the model " + claim.llmId() + " is no longer in the catalog");
        }
        Llm llm = model.get().llm();
        String factory = model.get().factoryName();
        List<ChatMessage> history = messages.pageOfSession(claim.ownerId(), claim.sessionId(),
                        PageRequest.newestFirst(CONTEXT_MESSAGES, null)).items().reversed().stream()
                .map(m -> new ChatMessage(m.getRole().wireName(), m.getContent())).toList();
        return new RunContext(claim, claim.ownerId(), claim.sessionId(), llm.getRequestUrl(), factory,
                llm.getModelCode(), llm.getInputPricePer1k(), llm.getOutputPricePer1k(), history, null);
    }

    /** Thrown inside a unit of work to roll it back when the claim turns out to be lost. */
    private static final class LostClaimException extends RuntimeException {
        LostClaimException() {
            super(null, null, false, false);
        }
    }
}
