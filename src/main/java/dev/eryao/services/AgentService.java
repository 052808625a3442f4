package dev.eryao.services;

import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Page;
import dev.eryao.core.db.PageRequest;
import dev.eryao.core.db.Transactions;
import dev.eryao.models.AgentChatSession;
import dev.eryao.repositories.AgentRepository;
import dev.eryao.repositories.LlmRepository;
import java.util.UUID;

/**
 * Chat sessions of the current user. Every method is one unit of work, and every read, update and
 * delete is filtered by the caller's id: the backend's database role bypasses RLS, so this filter
 * is what keeps owners apart.
 */
public final class AgentService {
    private final Transactions transactions;
    private final AgentRepository sessions;
    private final LlmRepository llms;

    public AgentService(Transactions transactions, AgentRepository sessions, LlmRepository llms) {
        this.transactions = transactions;
        this.sessions = sessions;
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
        return transactions.fromTransaction(() -> SessionView.of(owned(user, sessionId)));
    }

    public Page<SessionView> listSessions(CurrentUser user, PageRequest request) {
        return transactions.fromTransaction(() -> sessions.pageOf(user.id(), request).map(SessionView::of));
    }

    public SessionView renameSession(CurrentUser user, UUID sessionId, String title) {
        String checkedTitle = Validation.requiredText("title", title, AgentChatSession.TITLE_MAX_LENGTH);
        return transactions.fromTransaction(() -> {
            AgentChatSession session = owned(user, sessionId);
            sessions.updateById(session.getId(), s -> s.rename(checkedTitle));
            return SessionView.of(session);
        });
    }

    /** Soft delete: the row stays with {@code deleted_at} set and is invisible from then on. */
    public void deleteSession(CurrentUser user, UUID sessionId) {
        transactions.inTransaction(() -> sessions.softDeleteById(owned(user, sessionId).getId()));
    }

    private AgentChatSession owned(CurrentUser user, UUID sessionId) {
        return sessions.getOwned(user.id(), sessionId).orElseThrow(() -> new NotFoundException("session"));
    }

    private void requireActiveLlm(UUID llmId) {
        if (llmId != null && llms.getActive(llmId).isEmpty()) {
            throw InvalidInputException.field("llm_id", "does not name an active model");
        }
    }
}
