package dev.eryao.services;

import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Page;
import dev.eryao.core.db.PageRequest;
import dev.eryao.core.db.Timestamps;
import dev.eryao.core.db.Transactions;
import dev.eryao.models.AgentChatSession;
import dev.eryao.repositories.LlmModelRepository;
import dev.eryao.repositories.RunRepository;
import dev.eryao.repositories.SessionRepository;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Chat sessions of the current user. Every method is one unit of work, and every read, update and
 * delete is filtered by the caller's id: the backend's database role bypasses RLS, so this filter
 * is what keeps owners apart.
 */
public final class SessionService {
    private final Transactions transactions;
    private final SessionRepository sessions;
    private final LlmModelRepository llms;
    private final RunRepository runs;
    private final EndedRuns endedRuns;

    public SessionService(
            Transactions transactions,
            SessionRepository sessions,
            LlmModelRepository llms,
            RunRepository runs,
            EndedRuns endedRuns) {
        this.transactions = transactions;
        this.endedRuns = endedRuns;
        this.sessions = sessions;
        this.llms = llms;
        this.runs = runs;
    }

    public SessionView create(CurrentUser user, String title, UUID llmId) {
        String checkedTitle = Validation.requiredText("title", title, AgentChatSession.TITLE_MAX_LENGTH);
        return transactions.fromTransaction(() -> {
            requireActiveLlm(llmId);
            return SessionView.of(sessions.add(new AgentChatSession(user.id(), checkedTitle, llmId)), null);
        });
    }

    public SessionView get(CurrentUser user, UUID sessionId) {
        return transactions.read(() -> SessionView.of(sessions.getOwnedWithActiveRun(user.id(), sessionId)
                .orElseThrow(() -> new NotFoundException("session"))));
    }

    public Page<SessionView> list(CurrentUser user, PageRequest request) {
        return transactions.read(() -> {
            Page<AgentChatSession> page = sessions.pageOf(user.id(), request);
            Map<UUID, UUID> active = sessions.activeRunsOf(
                    page.items().stream().map(AgentChatSession::getId).toList());
            return page.map(session -> SessionView.of(session, active.get(session.getId())));
        });
    }

    public SessionView rename(CurrentUser user, UUID sessionId, String title) {
        String checkedTitle = Validation.requiredText("title", title, AgentChatSession.TITLE_MAX_LENGTH);
        return transactions.fromTransaction(() -> {
            AgentChatSession session = owned(user, sessionId);
            sessions.updateById(session.getId(), s -> s.rename(checkedTitle));
            return SessionView.of(
                    session, sessions.activeRunsOf(List.of(sessionId)).get(sessionId));
        });
    }

    /** Changes the title and/or model of a session; null leaves a field as it is. */
    public SessionView update(CurrentUser user, UUID sessionId, String title, UUID llmId) {
        if (title == null && llmId == null) {
            throw InvalidInputException.field("title", "give a title or an llm_id to change");
        }
        String checkedTitle =
                title == null ? null : Validation.requiredText("title", title, AgentChatSession.TITLE_MAX_LENGTH);
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
            return SessionView.of(
                    session, sessions.activeRunsOf(List.of(sessionId)).get(sessionId));
        });
    }

    /**
     * Soft delete: the row stays with {@code deleted_at} set and is invisible from then on. In the
     * same transaction its queued and parked runs are cancelled (charged what steps they recorded,
     * the rest of their holds released) and its running runs are told to stop, as a cancel would
     * ({@link RunService#cancel}).
     */
    public void delete(CurrentUser user, UUID sessionId) {
        transactions.inTransaction(() -> {
            sessions.softDeleteById(owned(user, sessionId).getId());
            endedRuns.settle(runs.cancelRunsOfSession(sessionId, RunService.SESSION_DELETED, Timestamps.now()));
            sessions.announce(sessionId);
        });
    }

    AgentChatSession owned(CurrentUser user, UUID sessionId) {
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

    static InvalidInputException inactiveModel(boolean named) {
        return named
                ? InvalidInputException.field("llm_id", "does not name an active model")
                : InvalidInputException.field(
                        "llm_id",
                        "the session's model has left the catalog: give an active model's llm_id with the run");
    }
}
