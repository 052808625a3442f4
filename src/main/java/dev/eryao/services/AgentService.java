package dev.eryao.services;

import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Page;
import dev.eryao.core.db.PageRequest;
import dev.eryao.core.db.Transactions;
import dev.eryao.models.AgentChatMessage;
import dev.eryao.models.AgentChatSession;
import dev.eryao.models.AgentRun;
import dev.eryao.models.MessageRole;
import dev.eryao.repositories.AgentMessageRepository;
import dev.eryao.repositories.AgentRepository;
import dev.eryao.repositories.AgentRunRepository;
import dev.eryao.repositories.LlmRepository;
import dev.eryao.repositories.PointsBalanceRepository;
import dev.eryao.models.Llm;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Chat sessions of the current user. Every method is one unit of work, and every read, update and
 * delete is filtered by the caller's id: the backend's database role bypasses RLS, so this filter
 * is what keeps owners apart.
 */
public final class AgentService {
    /** The most text one run's input may hold. */
    public static final int INPUT_MAX_LENGTH = 32_000;
    /** The unique index that makes an idempotency key name one run per owner. */
    static final String RUN_IDEMPOTENCY_INDEX = "ix_agent_run_owner_id_idempotency_key";

    private final Transactions transactions;
    private final AgentRepository sessions;
    private final AgentMessageRepository messages;
    private final AgentRunRepository runs;
    private final LlmRepository llms;
    private final PointsBalanceRepository balances;
    private final int maxOutputTokens;

    /** @param maxOutputTokens the output cap the worker sends ({@code ERYAO_LLM__MAX_OUTPUT_TOKENS}), for holds */
    public AgentService(Transactions transactions, AgentRepository sessions, AgentMessageRepository messages,
                        AgentRunRepository runs, LlmRepository llms, PointsBalanceRepository balances,
                        int maxOutputTokens) {
        this.transactions = transactions;
        this.sessions = sessions;
        this.messages = messages;
        this.runs = runs;
        this.llms = llms;
        this.balances = balances;
        this.maxOutputTokens = maxOutputTokens;
    }

    public SessionView createSession(CurrentUser user, String title, UUID llmId) {
        String checkedTitle = Validation.requiredText("title", title, AgentChatSession.TITLE_MAX_LENGTH);
        return transactions.fromTransaction(() -> {
            requireActiveLlm(llmId);
            return SessionView.of(sessions.add(new AgentChatSession(user.id(), checkedTitle, llmId)));
        });
    }

    public SessionView getSession(CurrentUser user, UUID sessionId) {
        return transactions.read(() -> SessionView.of(owned(user, sessionId)));
    }

    public Page<SessionView> listSessions(CurrentUser user, PageRequest request) {
        return transactions.read(() -> sessions.pageOf(user.id(), request).map(SessionView::of));
    }

    public SessionView renameSession(CurrentUser user, UUID sessionId, String title) {
        String checkedTitle = Validation.requiredText("title", title, AgentChatSession.TITLE_MAX_LENGTH);
        return transactions.fromTransaction(() -> {
            AgentChatSession session = owned(user, sessionId);
            sessions.updateById(session.getId(), s -> s.rename(checkedTitle));
            return SessionView.of(session);
        });
    }

    /** Changes the title and/or model of a session; null leaves a field as it is. */
    public SessionView updateSession(CurrentUser user, UUID sessionId, String title, UUID llmId) {
        if (title == null && llmId == null) {
            throw InvalidInputException.field("title", "give a title or an llm_id to change");
        }
        String checkedTitle = title == null ? null
                : Validation.requiredText("title", title, AgentChatSession.TITLE_MAX_LENGTH);
        return transactions.fromTransaction(() -> {
            AgentChatSession session = owned(user, sessionId);
            requireActiveLlm(llmId);
            sessions.updateById(session.getId(), s -> {
                if (checkedTitle != null) {
                    s.rename(checkedTitle);
                }
                if (llmId != null) {
                    s.useLlm(llmId);
                }
            });
            return SessionView.of(session);
        });
    }

    /** Soft delete: the row stays with {@code deleted_at} set and is invisible from then on. */
    public void deleteSession(CurrentUser user, UUID sessionId) {
        transactions.inTransaction(() -> sessions.softDeleteById(owned(user, sessionId).getId()));
    }

    /** A session's messages, oldest first; another owner's session is not found. */
    public Page<MessageView> listMessages(CurrentUser user, UUID sessionId, PageRequest request) {
        return transactions.read(() -> {
            owned(user, sessionId);
            return messages.pageOfSession(user.id(), sessionId, request).map(MessageView::of);
        });
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
     * own. That keeps an accepted run at four statements and a commit: the read of the session, the
     * points and the model; the hold; the message; the run. Only a request about to be refused
     * looks the key up first, so that a retry of an accepted run is never refused.
     *
     * @throws InsufficientPointsException when fewer points are available than the run's hold (or
     *                                     none at all, for a run that holds nothing)
     * @throws InvalidInputException       when the model named, or the session's, is not in the catalog
     * @throws ConflictException           when the key was used for another session
     * @throws InvalidInputException       also when the key was used with another input or model
     */
    public TaskAccepted enqueueRun(CurrentUser user, UUID sessionId, String input, UUID llmId, String idempotencyKey) {
        String checkedInput = Validation.requiredText("input", input, INPUT_MAX_LENGTH);
        String key = Validation.idempotencyKey("Idempotency-Key", idempotencyKey);
        RunRequest request = new RunRequest(sessionId, checkedInput, llmId, key);
        try {
            return transactions.fromTransaction(() -> {
                AgentRepository.RunStart start = sessions.getOwnedForRun(user.id(), sessionId, llmId)
                        .orElseThrow(() -> new NotFoundException("session"));
                UUID model = llmId != null ? llmId : start.session().getLlmId();
                if (model != null && start.model() == null) {
                    return replayOrRefuse(user, request, inactiveModel(llmId != null));
                }
                long hold = holdFor(start.model(), checkedInput);
                // A run that holds nothing (a free model, or none chosen) still needs a point available.
                long needed = Math.max(hold, 1);
                if (start.available() < needed || (hold > 0 && !balances.hold(user.id(), hold))) {
                    return replayOrRefuse(user, request, new InsufficientPointsException(
                            balances.accountOf(user.id()).available(), needed));
                }
                messages.add(new AgentChatMessage(sessionId, user.id(), MessageRole.USER, checkedInput, null));
                return TaskAccepted.of(runs.add(new AgentRun(sessionId, user.id(), model, checkedInput, key, hold)));
            });
        } catch (RuntimeException e) {
            if (key == null || !UniqueViolation.on(e, RUN_IDEMPOTENCY_INDEX)) {
                throw e;
            }
            return transactions.read(() -> replay(user, request).orElseThrow(
                    () -> new ConflictException("this Idempotency-Key was already used")));
        }
    }

    /** The most a run of {@code input} with {@code model} can cost: 0 without a model or for a free one. */
    private long holdFor(Llm model, String input) {
        if (model == null) {
            return 0;
        }
        RunPrice price = RunPrice.of(model, maxOutputTokens);
        return price.free() ? 0 : price.hold(RunPrice.promptTokenBound(List.of(input)));
    }

    /** What a run request asked for, to tell a replay of it from another request with its key. */
    private record RunRequest(UUID sessionId, String input, UUID llmId, String key) {
    }

    /** A run of the caller's; another owner's or a deleted one is not found. */
    public RunView getRun(CurrentUser user, UUID runId) {
        return transactions.read(() -> RunView.of(
                runs.getOwned(user.id(), runId).orElseThrow(() -> new NotFoundException("task"))));
    }

    /** The earlier run of this key if there is one, else {@code refusal}. */
    private TaskAccepted replayOrRefuse(CurrentUser user, RunRequest request, RuntimeException refusal) {
        return replay(user, request).orElseThrow(() -> refusal);
    }

    private Optional<TaskAccepted> replay(CurrentUser user, RunRequest request) {
        if (request.key() == null) {
            return Optional.empty();
        }
        return runs.byIdempotencyKey(user.id(), request.key()).map(run -> {
            if (!run.getSessionId().equals(request.sessionId())) {
                throw new ConflictException("this Idempotency-Key was already used for another session");
            }
            if (!run.getInput().equals(request.input())) {
                throw keyReused("input");
            }
            if (request.llmId() != null && !request.llmId().equals(run.getLlmId())) {
                throw keyReused("llm_id");
            }
            return TaskAccepted.of(run);
        });
    }

    private AgentChatSession owned(CurrentUser user, UUID sessionId) {
        return sessions.getOwned(user.id(), sessionId).orElseThrow(() -> new NotFoundException("session"));
    }

    private void requireActiveLlm(UUID llmId) {
        if (!isActiveOrUnset(llmId)) {
            throw inactiveModel(true);
        }
    }

    private boolean isActiveOrUnset(UUID llmId) {
        return llmId == null || llms.getActive(llmId).isPresent();
    }

    /** A key replayed with a different body: refused, so a client's bug cannot pass for a retry. */
    static InvalidInputException keyReused(String field) {
        return InvalidInputException.field("Idempotency-Key",
                "was already used for a request with a different " + field + "; use a new key for a new request");
    }

    private static InvalidInputException inactiveModel(boolean named) {
        return named ? InvalidInputException.field("llm_id", "does not name an active model")
                : InvalidInputException.field("llm_id",
                        "the session's model has left the catalog: give an active model's llm_id with the run");
    }
}
