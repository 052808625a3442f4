package dev.eryao.services;

import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.config.RunsSettings;
import dev.eryao.core.db.Cursor;
import dev.eryao.core.db.Page;
import dev.eryao.core.db.PageRequest;
import dev.eryao.core.db.Timestamps;
import dev.eryao.core.db.Transactions;
import dev.eryao.models.AgentChatMessage;
import dev.eryao.models.AgentRun;
import dev.eryao.models.LlmModel;
import dev.eryao.models.RunStatus;
import dev.eryao.repositories.DeltaPage;
import dev.eryao.repositories.EndedRun;
import dev.eryao.repositories.HoldRepository;
import dev.eryao.repositories.MessageRepository;
import dev.eryao.repositories.ParkedRunRepository;
import dev.eryao.repositories.PointsBalanceRepository;
import dev.eryao.repositories.RunAdmission;
import dev.eryao.repositories.RunRepository;
import dev.eryao.repositories.RunStepRepository;
import dev.eryao.repositories.SessionRepository;
import dev.eryao.services.tools.RegisteredTools;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The API's side of agent runs, each method one unit of work for the current user: enqueue a run
 * (its message, the run and its hold on the owner's points together) and read one. The worker's
 * side is {@link RunExecutionService}.
 */
public final class RunService {
    /** The most text one run's input may hold. */
    public static final int INPUT_MAX_LENGTH = 32_000;
    /** The unique index that makes an idempotency key name one run per owner. */
    static final String RUN_IDEMPOTENCY_INDEX = "ix_agent_run_owner_id_idempotency_key";
    /** Why a queued run its owner stopped was cancelled. */
    static final String CANCELLED = "cancelled by its owner before it started";
    /**
     * How far behind its owner's last open run a further one takes its turn: longer than runs take,
     * so an owner's second open run comes after the first open run of every owner who queued one
     * within that time.
     */
    static final Duration TURN = Duration.ofMinutes(1);
    /** Why the open runs of a session were stopped by a new run sent with {@code interrupt}. */
    static final String INTERRUPTED =
            "interrupted: a newer run of its session was sent with multitask_strategy interrupt";
    /** Why a run of a deleted session was cancelled. */
    static final String SESSION_DELETED = "cancelled: its session was deleted";
    /**
     * The most pieces of an answer an event stream reads (and holds) at once: a late or
     * reconnecting reader is sent its backlog a page at a time, so what a stream holds does not
     * grow with the answer, even while its client reads nothing and its write blocks.
     */
    public static final int PAGE_PIECES = 1_000;
    /**
     * The most text (UTF-8 bytes) of one page, unless its first piece alone is larger (it is sent
     * alone): room for a few of the largest pieces (a worker's piece is to hold at most 64 KiB),
     * and 32 reads for an 8 MB answer.
     */
    public static final int PAGE_BYTES = 256 * 1024;

    private final Transactions transactions;
    private final SessionRepository sessions;
    private final MessageRepository messages;
    private final RunRepository runs;
    private final PointsBalanceRepository balances;
    private final HoldRepository holds;
    private final EndedRuns endedRuns;
    private final int maxOutputTokens;
    private final int maxOpenPerOwner;
    private final RunsSettings limits;
    private final RunStepRepository steps;
    private final RegisteredTools registeredTools;
    private final RunMetrics metrics;
    private final ParkedRunRepository parked;

    /**
     * @param maxOutputTokens the output cap the worker sends ({@code ERYAO_LLM__MAX_OUTPUT_TOKENS}), for holds
     * @param limits          what one owner may ask of the queue ({@code ERYAO_RUNS__*}): how many runs
     *                        open at once, how many model steps a run takes and may ask for
     */
    public RunService(
            Transactions transactions,
            SessionRepository sessions,
            MessageRepository messages,
            RunRepository runs,
            PointsBalanceRepository balances,
            HoldRepository holds,
            EndedRuns endedRuns,
            RunStepRepository steps,
            RegisteredTools registeredTools,
            int maxOutputTokens,
            RunsSettings limits,
            RunMetrics metrics,
            ParkedRunRepository parked) {
        this.parked = parked;
        this.steps = steps;
        this.registeredTools = registeredTools;
        this.metrics = metrics;
        this.holds = holds;
        this.endedRuns = endedRuns;
        this.limits = limits;
        this.maxOpenPerOwner = limits.maxOpenPerOwner();
        this.transactions = transactions;
        this.sessions = sessions;
        this.messages = messages;
        this.runs = runs;
        this.balances = balances;
        this.maxOutputTokens = maxOutputTokens;
    }

    /**
     * The seed's {@code enqueue_run}: the user's message, the queued run and the run's hold on the
     * owner's points are written in one transaction, so none exists without the others. The hold is
     * the most the run can cost ({@link RunPrice}): the input's bound and the output cap at the
     * model's prices. An idempotency key already used returns the run it made, also once the points
     * have run out or the model has left the catalog, as long as the request is the same one.
     *
     * <p>On the usual path the key is not looked up first: the unique index on (owner, key) finds a
     * replay — and a race between two requests with one key — when the run is inserted; the
     * transaction is then rolled back (its hold with it) and the earlier run read in a unit of its
     * own. That keeps an accepted run at five statements and a commit: the session's row lock (runs
     * sent to one session at once are accepted in turn: {@link SessionRepository#lockForNewRun});
     * the read of the session, the points and the model; the hold; the message; the run. Only a request about to be refused
     * looks the key up first, so that a retry of an accepted run is never refused.
     *
     * @throws TooManyOpenRunsException    when the owner already has as many runs open as one may
     * @throws InsufficientPointsException when fewer points are available than the run's hold (or
     *                                     none at all, for a run that holds nothing)
     * @throws InvalidInputException       when the model named, or the session's, is not in the catalog
     * @throws ConflictException           when the key was used for another session
     * @throws InvalidInputException       also when the key was used with another input or model
     */
    public RunAccepted enqueue(CurrentUser user, UUID sessionId, String input, UUID llmId, String idempotencyKey) {
        return enqueue(user, sessionId, new NewRun(input, llmId, null, null, null), idempotencyKey);
    }

    /**
     * What a new run asks for.
     *
     * @param llmId             the model, or null for the session's
     * @param multitaskStrategy what to do when the session has a run open ({@link MultitaskStrategy};
     *                          null: enqueue)
     * @param parentMessageId   the message the new question follows, or null for the end of the
     *                          current branch
     * @param editsMessageId    a question this one replaces (an edit): it follows what that one
     *                          followed, as its sibling; not with {@code parentMessageId}
     * @param maxSteps          the most model steps the run may take, or null for
     *                          {@code ERYAO_RUNS__MAX_STEPS}; at most {@code ERYAO_RUNS__MAX_STEPS_LIMIT}
     * @param maxPoints         the most points the whole run may cost, or null for no cap of its own
     * @param tools             the registered tools its model may call ({@link ToolSelection}), or null
     *                          for none
     */
    public record NewRun(
            String input,
            UUID llmId,
            String multitaskStrategy,
            UUID parentMessageId,
            UUID editsMessageId,
            Integer maxSteps,
            Long maxPoints,
            List<String> tools,
            List<ClientTool> clientTools) {
        public NewRun(String input, UUID llmId, String multitaskStrategy, UUID parentMessageId, UUID editsMessageId) {
            this(input, llmId, multitaskStrategy, parentMessageId, editsMessageId, null, null, null);
        }

        /** No client tools. */
        public NewRun(
                String input,
                UUID llmId,
                String multitaskStrategy,
                UUID parentMessageId,
                UUID editsMessageId,
                Integer maxSteps,
                Long maxPoints,
                List<String> tools) {
            this(input, llmId, multitaskStrategy, parentMessageId, editsMessageId, maxSteps, maxPoints, tools, null);
        }
    }

    /**
     * {@link #enqueue(CurrentUser, UUID, String, UUID, String)} with the conversation's choices: the
     * session's open run decides nothing by itself (the claim performs a session's runs one at a
     * time, in order), but the caller may refuse to wait ({@code reject}: 409 naming the open run,
     * nothing written) or stop it ({@code interrupt}: every open run of the session stopped as by
     * cancel, in the same transaction, so the new run is next). The question follows
     * {@code parentMessageId}, or the end of the session's current branch.
     *
     * @throws RunInFlightException  for {@code reject} while the session has a run open
     * @throws NotFoundException     when the parent message is not one of this session's
     */
    public RunAccepted enqueue(CurrentUser user, UUID sessionId, NewRun run, String idempotencyKey) {
        String checkedInput = Validation.requiredText("input", run.input(), INPUT_MAX_LENGTH);
        MultitaskStrategy strategy = MultitaskStrategy.parse(run.multitaskStrategy());
        String key = Validation.idempotencyKey("Idempotency-Key", idempotencyKey);
        if (run.parentMessageId() != null && run.editsMessageId() != null) {
            throw InvalidInputException.field(
                    "edits_message_id",
                    "cannot be given with parent_message_id: an edit follows what the edited question did");
        }
        List<String> selection = ToolSelection.checked(run.tools());
        ClientTools clientTools = ClientTools.checked(run.clientTools());
        // Resolved before the unit of work: it may list a server's tools over the network.
        registeredTools.resolve(selection);
        RunLimits runLimits =
                limitsOf(run.maxSteps(), run.maxPoints(), ToolSelection.json(selection), clientTools.json());
        RunRequest request = new RunRequest(sessionId, checkedInput, run.llmId(), key, runLimits);
        return accept(user, request, () -> {
            sessions.lockForNewRun(user.id(), sessionId);
            RunAdmission start = sessions.getOwnedForRun(
                            user.id(), sessionId, run.llmId(), run.parentMessageId(), run.editsMessageId())
                    .orElseThrow(() -> new NotFoundException("session"));
            if (run.parentMessageId() != null && start.namedMessageFound() == 0) {
                return replayOrRefuse(user, request, new NotFoundException("parent message"));
            }
            if (run.editsMessageId() != null && start.namedMessageFound() == 0) {
                return replayOrRefuse(user, request, new NotFoundException("question to edit"));
            }
            return admit(user, request, start, strategy, start.parent(), null);
        });
    }

    /**
     * Answers a finished run's question again: a new run whose context ends at that question (the
     * earlier answer is not sent), its answer a sibling of the earlier one. Queued like any run of
     * the session ({@code multitaskStrategy} as for enqueue), priced and held the same way.
     *
     * @param llmId the model to answer with, or null for the original run's
     * @throws ConflictException when the run has not finished
     */
    public RunAccepted regenerate(
            CurrentUser user, UUID runId, UUID llmId, String multitaskStrategy, String idempotencyKey) {
        MultitaskStrategy strategy = MultitaskStrategy.parse(multitaskStrategy);
        String key = Validation.idempotencyKey("Idempotency-Key", idempotencyKey);
        AgentRun original = transactions.read(
                () -> runs.getOwned(user.id(), runId).orElseThrow(() -> new NotFoundException("run")));
        UUID model = llmId != null ? llmId : original.getLlmId();
        RunRequest request = new RunRequest(
                original.getSessionId(),
                original.getInput(),
                model,
                key,
                new RunLimits(
                        original.getMaxSteps(),
                        original.getMaxPoints(),
                        original.getToolSelection(),
                        original.getClientTools()));
        return accept(user, request, () -> {
            if (!original.getStatus().finished()) {
                return replayOrRefuse(
                        user,
                        request,
                        new ConflictException("the run is still "
                                + original.getStatus().wireName() + ": only a finished run can be regenerated"));
            }
            if (original.getQuestionId() == null) {
                return replayOrRefuse(
                        user,
                        request,
                        new ConflictException("the run is older than its question was recorded: ask again instead"));
            }
            sessions.lockForNewRun(user.id(), original.getSessionId());
            RunAdmission start = sessions.getOwnedForRun(user.id(), original.getSessionId(), model, null, null)
                    .orElseThrow(() -> new NotFoundException("run"));
            return admit(user, request, start, strategy, null, original.getQuestionId());
        });
    }

    /** Runs {@code admission} in a unit of work; a replay of its idempotency key answers with the earlier run. */
    private RunAccepted accept(
            CurrentUser user, RunRequest request, java.util.function.Supplier<RunAccepted> admission) {
        String key = request.key();
        try {
            return transactions.fromTransaction(admission::get);
        } catch (RuntimeException e) {
            if (key == null || !UniqueViolation.on(e, RUN_IDEMPOTENCY_INDEX)) {
                throw e;
            }
            return transactions.read(() -> replay(user, request)
                    .orElseThrow(() -> new ConflictException("this Idempotency-Key was already used")));
        }
    }

    /**
     * The checks and writes of accepting a run, inside its unit of work: the strategy against the
     * session's open run, the model, the owner's limit and points; then the hold, the question
     * (unless the run answers {@code questionId}, an existing one) and the run.
     *
     * @param parent     the message a new question follows (ignored when {@code questionId} is set)
     * @param questionId the question a regenerated run answers, or null to write the input as a new one
     */
    private RunAccepted admit(
            CurrentUser user,
            RunRequest request,
            RunAdmission start,
            MultitaskStrategy strategy,
            UUID parent,
            UUID questionId) {
        UUID sessionId = request.sessionId();
        UUID llmId = request.llmId();
        String checkedInput = request.input();
        long openRuns = start.openRuns();
        if (start.activeRun() != null && strategy == MultitaskStrategy.REJECT) {
            return replayOrRefuse(user, request, new RunInFlightException(start.activeRun()));
        }
        UUID model = llmId != null ? llmId : start.session().getLlmId();
        if (model == null) {
            return replayOrRefuse(
                    user,
                    request,
                    InvalidInputException.field(
                            "llm_id",
                            "the session has no model: give an active model's llm_id with the run, or set one"
                                    + " on the session"));
        }
        if (start.model() == null) {
            return replayOrRefuse(user, request, SessionService.inactiveModel(llmId != null));
        }
        if (start.activeRun() != null && strategy == MultitaskStrategy.INTERRUPT) {
            List<EndedRun> stopped = runs.cancelRunsOfSession(sessionId, INTERRUPTED, Timestamps.now());
            endedRuns.settle(stopped);
            openRuns -=
                    stopped.stream().filter(ended -> ended.status().finished()).count();
        }
        if (openRuns >= maxOpenPerOwner) {
            return replayOrRefuse(user, request, new TooManyOpenRunsException(openRuns, maxOpenPerOwner));
        }
        long hold = holdFor(start.model(), checkedInput);
        // A run that holds nothing (a free model, or none chosen) still needs a point available.
        long needed = Math.max(hold, 1);
        if (start.available() < needed || (hold > 0 && !holds.take(user.id(), hold))) {
            return replayOrRefuse(
                    user,
                    request,
                    new InsufficientPointsException(
                            balances.accountOf(user.id()).available(), needed));
        }
        UUID question = questionId != null
                ? questionId
                : messages.add(AgentChatMessage.question(sessionId, user.id(), parent, checkedInput))
                        .getId();
        AgentRun accepted = new AgentRun(
                sessionId,
                user.id(),
                model,
                checkedInput,
                request.key(),
                hold,
                turnAfter(start.lastTurn(), Timestamps.now()),
                question);
        accepted.limit(
                request.limits().maxSteps() == null
                        ? limits.maxSteps()
                        : request.limits().maxSteps(),
                request.limits().maxPoints());
        accepted.selectTools(request.limits().toolSelectionJson());
        accepted.declareClientTools(request.limits().clientToolsJson());
        accepted.traceFrom(RunTraces.currentTraceParent());
        return accepted(runs.add(accepted));
    }

    /** A run's own limits and tools, as it asked for them (null: the default, no cap, no tools). */
    private record RunLimits(Integer maxSteps, Long maxPoints, String toolSelectionJson, String clientToolsJson) {}

    /** The limits a run asks for, checked: max_steps from 1 to the ceiling, max_points at least 0. */
    private RunLimits limitsOf(Integer maxSteps, Long maxPoints, String toolSelectionJson, String clientToolsJson) {
        if (maxSteps != null && (maxSteps < 1 || maxSteps > limits.maxStepsLimit())) {
            throw InvalidInputException.field(
                    "max_steps",
                    "must be a whole number from 1 to " + limits.maxStepsLimit() + " (ERYAO_RUNS__MAX_STEPS_LIMIT)");
        }
        if (maxPoints != null && maxPoints < 0) {
            throw InvalidInputException.field("max_points", "must be a whole number of at least 0");
        }
        return new RunLimits(maxSteps, maxPoints, toolSelectionJson, clientToolsJson);
    }

    /** A run just written: counted as accepted (a replay of its key is not: it writes nothing). */
    private RunAccepted accepted(AgentRun run) {
        metrics.accepted();
        return RunAccepted.of(run);
    }

    /**
     * Where a new run of an owner whose latest open run has {@code lastTurn} stands in the claim's
     * order: now for an owner with none open, else one {@link #TURN} after that one (and never
     * before now). So runs one owner queues together are claimed after every other owner's first
     * open run, in the order they were queued, while an owner alone in the queue waits for nothing:
     * the turn orders runs, it does not make them wait.
     */
    static Instant turnAfter(Instant lastTurn, Instant now) {
        if (lastTurn == null) {
            return now;
        }
        Instant next = lastTurn.plus(TURN);
        return next.isAfter(now) ? next : now;
    }

    /** The most a run of {@code input} with {@code model} can cost: 0 for a free model. */
    private long holdFor(LlmModel model, String input) {
        RunPrice price = RunPrice.of(model, maxOutputTokens);
        return price.free() ? 0 : price.hold(RunPrice.promptTokenBound(List.of(input)));
    }

    /** What a run request asked for, to tell a replay of it from another request with its key. */
    private record RunRequest(UUID sessionId, String input, UUID llmId, String key, RunLimits limits) {}

    /** The steps of a run of the caller's, in order; another owner's or a deleted run is not found. */
    public List<StepView> steps(CurrentUser user, UUID runId) {
        return transactions.read(() -> {
            runs.getOwned(user.id(), runId).orElseThrow(() -> new NotFoundException("run"));
            return steps.ofRun(user.id(), runId).stream().map(StepView::of).toList();
        });
    }

    /** A run of the caller's; another owner's or a deleted one is not found. */
    public RunView get(CurrentUser user, UUID runId) {
        return transactions.read(
                () -> RunView.of(runs.getOwned(user.id(), runId).orElseThrow(() -> new NotFoundException("run"))));
    }

    /**
     * A page of a session's runs, newest first, only those with {@code status} when it is given (a
     * run's wire status); another owner's session is not found.
     */
    public Page<RunView> listOfSession(CurrentUser user, UUID sessionId, String status, PageRequest request) {
        RunStatus only = status == null ? null : runStatus(status);
        return transactions.read(() -> {
            sessions.getOwned(user.id(), sessionId).orElseThrow(() -> new NotFoundException("session"));
            return runs.pageOfSession(user.id(), sessionId, only, request).map(RunView::of);
        });
    }

    private static RunStatus runStatus(String value) {
        for (RunStatus status : RunStatus.values()) {
            if (status.wireName().equals(value)) {
                return status;
            }
        }
        throw InvalidInputException.field(
                "status",
                "must be one of "
                        + java.util.Arrays.stream(RunStatus.values())
                                .map(RunStatus::wireName)
                                .collect(java.util.stream.Collectors.joining(", ")));
    }

    /** The earlier run of this key if there is one, else {@code refusal}. */
    private RunAccepted replayOrRefuse(CurrentUser user, RunRequest request, RuntimeException refusal) {
        return replay(user, request).orElseThrow(() -> refusal);
    }

    private Optional<RunAccepted> replay(CurrentUser user, RunRequest request) {
        if (request.key() == null) {
            return Optional.empty();
        }
        return runs.byIdempotencyKey(user.id(), request.key()).map(run -> {
            if (!run.getSessionId().equals(request.sessionId())) {
                throw new ConflictException("this Idempotency-Key was already used for another session");
            }
            if (!run.getInput().equals(request.input())) {
                throw Validation.keyReused("input");
            }
            if (request.llmId() != null && !request.llmId().equals(run.getLlmId())) {
                throw Validation.keyReused("llm_id");
            }
            return RunAccepted.of(run);
        });
    }

    /**
     * Answers calls a run of the caller's waits on for an approval: each approved (its worker makes
     * the call) or denied (the model is told so, with the reason when one is given). Once no call is
     * left to answer, the run is queued again, due now, and any worker in any process resumes it.
     *
     * @return the run as it is now
     * @throws NotFoundException     when the caller has no such run
     * @throws ConflictException     when the run is not waiting for its owner, or a call was answered otherwise
     * @throws InvalidInputException when an approval names no call the run waits on for one
     */
    public RunView approve(CurrentUser user, UUID runId, List<Approval> approvals) {
        List<PendingCalls.Answer> answers = new java.util.ArrayList<>();
        for (Approval approval : approvals == null ? List.<Approval>of() : approvals) {
            if (approval != null && approval.approve() == null) {
                throw InvalidInputException.field("approvals", "holds an entry without approve (true or false)");
            }
            if (approval != null
                    && approval.reason() != null
                    && approval.reason().length() > PendingCalls.REASON_CHARS) {
                throw InvalidInputException.field(
                        "approvals", "holds a reason longer than " + PendingCalls.REASON_CHARS + " characters");
            }
            answers.add(
                    approval == null
                            ? null
                            : new PendingCalls.Answer(
                                    approval.toolCallId(),
                                    approval.approve() ? PendingCall.APPROVED : PendingCall.DENIED,
                                    approval.approve() ? null : StorableText.of(approval.reason()),
                                    null));
        }
        return answer(user, runId, "approvals", PendingCall.APPROVAL, answers);
    }

    /** One approval or denial: {@code approve} true or false, and, for a denial, why (optional). */
    public record Approval(
            String toolCallId,
            Boolean approve,
            @org.jspecify.annotations.Nullable String reason) {}

    /**
     * Posts the outputs of client tools' calls a run of the caller's waits on, as
     * {@link #approve} answers approvals.
     *
     * @throws InvalidInputException when an output names no client tool's call the run waits on, or
     *                               is longer than {@link PendingCalls#OUTPUT_CHARS} characters
     */
    public RunView submitToolOutputs(CurrentUser user, UUID runId, List<ToolOutput> outputs) {
        List<PendingCalls.Answer> answers = new java.util.ArrayList<>();
        for (ToolOutput output : outputs == null ? List.<ToolOutput>of() : outputs) {
            if (output != null && output.output() == null) {
                throw InvalidInputException.field("tool_outputs", "holds an entry without output");
            }
            if (output != null && output.output().length() > PendingCalls.OUTPUT_CHARS) {
                throw InvalidInputException.field(
                        "tool_outputs", "holds an output longer than " + PendingCalls.OUTPUT_CHARS + " characters");
            }
            answers.add(
                    output == null
                            ? null
                            : new PendingCalls.Answer(
                                    output.toolCallId(), PendingCall.OUTPUT, null, StorableText.of(output.output())));
        }
        return answer(user, runId, "tool_outputs", PendingCall.CLIENT, answers);
    }

    /** A client tool's output for one call. */
    public record ToolOutput(String toolCallId, String output) {}

    private RunView answer(CurrentUser user, UUID runId, String field, String kind, List<PendingCalls.Answer> answers) {
        return transactions.fromTransaction(() -> {
            ParkedRunRepository.Parked run =
                    parked.lockForDecision(user.id(), runId).orElseThrow(() -> new NotFoundException("run"));
            if (!run.status().parked()) {
                throw new ConflictException("the run is " + run.status().wireName()
                        + ": only a run waiting for its owner (requires_approval, requires_action) takes answers");
            }
            PendingCalls after = PendingCalls.parse(run.pendingCallsJson()).answered(field, kind, answers);
            parked.decide(run, after.status(), after.json(), Timestamps.now());
            return RunView.of(runs.getOwned(user.id(), runId).orElseThrow(() -> new NotFoundException("run")));
        });
    }

    /**
     * Stops a run of the caller's: a queued or parked one is cancelled at once and costs only what
     * steps it recorded (the rest of its hold is released); a running one is marked, and the worker performing it, in whatever process, stops
     * reading the model within a second and records it cancelled, keeping what the model wrote and
     * charging what it used. Repeating it is harmless.
     *
     * @return the run as it is now (still running when its worker has yet to stop it)
     * @throws NotFoundException when the caller has no such run
     * @throws ConflictException when the run has already succeeded or failed
     */
    public RunView cancel(CurrentUser user, UUID runId) {
        return transactions.fromTransaction(() -> {
            RunRepository.Cancel cancel = runs.cancel(user.id(), runId, CANCELLED, Timestamps.now())
                    .orElseThrow(() -> new NotFoundException("run"));
            cancel.ended().ifPresent(ended -> endedRuns.settle(List.of(ended)));
            RunStatus was = cancel.was();
            if (was == RunStatus.SUCCEEDED || was == RunStatus.FAILED || was == RunStatus.EXPIRED) {
                throw new ConflictException("the run has already " + was.wireName() + ": there is nothing to stop");
            }
            return RunView.of(runs.getOwned(user.id(), runId).orElseThrow(() -> new NotFoundException("run")));
        });
    }

    /**
     * What a run's event stream sends next: the run as it is, and the first page of the pieces of
     * its current attempt's answer after {@code after} (from the first when {@code after} is of
     * another attempt). The run is read first: once it shows finished, every piece written before
     * is there to read. When more pieces are stored than the page holds, the run is left out (see
     * {@link RunEvents#run}): it would be stale by the time the stream reaches the end, and a
     * finished run carries its whole output.
     */
    public RunEvents eventsAfter(CurrentUser user, UUID runId, StreamPosition after) {
        return transactions.read(() ->
                page(user, runs.getOwned(user.id(), runId).orElseThrow(() -> new NotFoundException("run")), after));
    }

    /**
     * {@link #eventsAfter} for a client that says where it is ({@code Last-Event-ID}): refused,
     * before anything is sent, when the stream cannot have sent that position — an attempt the run
     * has not begun, or a piece not stored — since a client that sends one holds a text this run's
     * stream never wrote, and no page after it could be right.
     *
     * @throws InvalidInputException naming {@code Last-Event-ID} (a 422)
     */
    public RunEvents resume(CurrentUser user, UUID runId, StreamPosition after) {
        return transactions.read(() -> {
            AgentRun run = runs.getOwned(user.id(), runId).orElseThrow(() -> new NotFoundException("run"));
            if (after != null && !written(user, run, after)) {
                throw InvalidInputException.field(
                        "Last-Event-ID",
                        "names a position this run's stream has not sent (attempt " + after.attempt() + ", piece "
                                + after.index() + "): reconnect without it to start from the current attempt's"
                                + " first piece");
            }
            return page(user, run, after);
        });
    }

    private boolean written(CurrentUser user, AgentRun run, StreamPosition position) {
        if (position.attempt() > run.getAttempts()) {
            return false;
        }
        if (position.index() < 0) {
            return true;
        }
        // The piece itself, read as the page that starts at it: a page of one, however large.
        DeltaPage at = runs.deltasAfter(user.id(), run.getId(), position.attempt(), position.index() - 1, 1, 1);
        return !at.pieces().isEmpty() && at.pieces().getFirst().index() == position.index();
    }

    private RunEvents page(CurrentUser user, AgentRun run, StreamPosition after) {
        int attempt = run.getAttempts();
        if (attempt == 0) {
            return new RunEvents(RunView.of(run), List.of(), false);
        }
        int afterIndex = after != null && after.attempt() == attempt ? after.index() : -1;
        DeltaPage page = runs.deltasAfter(user.id(), run.getId(), attempt, afterIndex, PAGE_PIECES, PAGE_BYTES);
        return new RunEvents(page.more() ? null : RunView.of(run), views(page), page.more());
    }

    /**
     * The next page of the caller's pieces of the run after {@code after}, in its attempt, without
     * the run: how a stream that has sent a page with more after it catches up. A piece of another
     * owner's run is never in it.
     */
    public RunEvents piecesAfter(CurrentUser user, UUID runId, StreamPosition after) {
        return transactions.read(() -> {
            DeltaPage page =
                    runs.deltasAfter(user.id(), runId, after.attempt(), after.index(), PAGE_PIECES, PAGE_BYTES);
            return new RunEvents(null, views(page), page.more());
        });
    }

    /**
     * Where a session's event stream starts when it is opened without Last-Event-ID: at the
     * session's run in flight, sent from its start; else after the session's latest run (the next
     * run accepted is followed); the session's first run for a session that has none.
     *
     * @throws NotFoundException when the caller has no such session
     */
    public SessionStreamStart sessionStreamStart(CurrentUser user, UUID sessionId) {
        return transactions.read(() -> {
            sessions.getOwned(user.id(), sessionId).orElseThrow(() -> new NotFoundException("session"));
            UUID active = sessions.activeRunsOf(List.of(sessionId)).get(sessionId);
            if (active != null) {
                AgentRun run = runs.getOwned(user.id(), active).orElseThrow(() -> new NotFoundException("run"));
                return new SessionStreamStart(run.cursor(), null);
            }
            List<AgentRun> latest = runs.pageOfSession(user.id(), sessionId, null, PageRequest.newestFirst(1, null))
                    .items();
            return new SessionStreamStart(
                    null, latest.isEmpty() ? null : latest.getFirst().cursor());
        });
    }

    /**
     * Where a session's stream starts: the run to send from its start ({@code run}), or, when none
     * is, the run after which to wait for the next ({@code after}; null: the session's first run).
     */
    public record SessionStreamStart(Cursor run, Cursor after) {}

    /**
     * The caller's run {@code runId} of the session, as a position in the session's order of runs;
     * empty when it is not a run of that session (a Last-Event-ID of another stream).
     */
    public Optional<Cursor> runOfSession(CurrentUser user, UUID sessionId, UUID runId) {
        return transactions.read(() -> runs.getOwned(user.id(), runId)
                .filter(run -> run.getSessionId().equals(sessionId))
                .map(AgentRun::cursor));
    }

    /**
     * The session's first run accepted after {@code after} (null: its first run), if there is one yet.
     *
     * @throws NotFoundException when the session is gone (deleted): its stream has nothing more to follow
     */
    public Optional<Cursor> nextRunOfSession(CurrentUser user, UUID sessionId, Cursor after) {
        return transactions.read(() -> {
            Optional<Cursor> next =
                    runs.pageOfSession(user.id(), sessionId, null, PageRequest.oldestFirst(1, after)).items().stream()
                            .findFirst()
                            .map(AgentRun::cursor);
            if (next.isEmpty()) {
                sessions.getOwned(user.id(), sessionId).orElseThrow(() -> new NotFoundException("session"));
            }
            return next;
        });
    }

    private static List<DeltaView> views(DeltaPage page) {
        return page.pieces().stream().map(DeltaView::of).toList();
    }
}
