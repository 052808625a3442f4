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
    public static final int IDEMPOTENCY_KEY_MAX_LENGTH = 200;
    /** The unique index that makes an idempotency key name one run per owner. */
    static final String RUN_IDEMPOTENCY_INDEX = "ix_agent_run_owner_id_idempotency_key";

    private final Transactions transactions;
    private final AgentRepository sessions;
    private final AgentMessageRepository messages;
    private final AgentRunRepository runs;
    private final LlmRepository llms;

    public AgentService(Transactions transactions, AgentRepository sessions, AgentMessageRepository messages,
                        AgentRunRepository runs, LlmRepository llms) {
        this.transactions = transactions;
        this.sessions = sessions;
        this.messages = messages;
        this.runs = runs;
        this.llms = llms;
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
     * The seed's {@code enqueue_run}: the user's message and the queued run are written in one
     * transaction, so a run never exists without its message or the other way round. An
     * idempotency key already used for this session returns the run it made, also once the points
     * have run out or the model has left the catalog.
     *
     * <p>On the usual path the key is not looked up first: the unique index on (owner, key) finds a
     * replay — and a race between two requests with one key — when the run is inserted; the
     * transaction is then rolled back and the earlier run read in a unit of its own. That keeps an
     * accepted run at three statements and a commit (one more when it names its model, which is
     * checked). Only a request about to be refused looks the key up first, so that a retry of an
     * accepted run is never refused.
     *
     * @throws InsufficientPointsException when the caller has no points left
     * @throws ConflictException           when the key was used for another session
     */
    public TaskAccepted enqueueRun(CurrentUser user, UUID sessionId, String input, UUID llmId, String idempotencyKey) {
        String checkedInput = Validation.requiredText("input", input, INPUT_MAX_LENGTH);
        String key = Validation.idempotencyKey("Idempotency-Key", idempotencyKey);
        try {
            return transactions.fromTransaction(() -> {
                AgentRepository.SessionWithBalance owned = sessions.getOwnedWithBalance(user.id(), sessionId)
                        .orElseThrow(() -> new NotFoundException("session"));
                long balance = owned.balance();
                if (balance <= 0 || !isActiveOrUnset(llmId)) {
                    Optional<TaskAccepted> earlier = replay(user, sessionId, key);
                    if (earlier.isPresent()) {
                        return earlier.get();
                    }
                    if (balance <= 0) {
                        throw new InsufficientPointsException(balance, 1);
                    }
                    throw inactiveModel();
                }
                UUID model = llmId != null ? llmId : owned.session().getLlmId();
                messages.add(new AgentChatMessage(sessionId, user.id(), MessageRole.USER, checkedInput, null));
                return TaskAccepted.of(runs.add(new AgentRun(sessionId, user.id(), model, checkedInput, key)));
            });
        } catch (RuntimeException e) {
            if (key == null || !UniqueViolation.on(e, RUN_IDEMPOTENCY_INDEX)) {
                throw e;
            }
            return transactions.read(() -> replay(user, sessionId, key).orElseThrow(
                    () -> new ConflictException("this Idempotency-Key was already used")));
        }
    }

    /** A run of the caller's; another owner's or a deleted one is not found. */
    public RunView getRun(CurrentUser user, UUID runId) {
        return transactions.read(() -> RunView.of(
                runs.getOwned(user.id(), runId).orElseThrow(() -> new NotFoundException("task"))));
    }

    private Optional<TaskAccepted> replay(CurrentUser user, UUID sessionId, String key) {
        if (key == null) {
            return Optional.empty();
        }
        return runs.byIdempotencyKey(user.id(), key).map(run -> {
            if (!run.getSessionId().equals(sessionId)) {
                throw new ConflictException("this Idempotency-Key was already used for another session");
            }
            return TaskAccepted.of(run);
        });
    }

    private AgentChatSession owned(CurrentUser user, UUID sessionId) {
        return sessions.getOwned(user.id(), sessionId).orElseThrow(() -> new NotFoundException("session"));
    }

    private void requireActiveLlm(UUID llmId) {
        if (!isActiveOrUnset(llmId)) {
            throw inactiveModel();
        }
    }

    private boolean isActiveOrUnset(UUID llmId) {
        return llmId == null || llms.getActive(llmId).isPresent();
    }

    private static InvalidInputException inactiveModel() {
        return InvalidInputException.field("llm_id", "does not name an active model");
    }
}
