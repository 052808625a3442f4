package dev.eryao.services;

import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Page;
import dev.eryao.core.db.PageRequest;
import dev.eryao.core.db.Transactions;
import dev.eryao.repositories.MessageRepository;
import java.util.UUID;

/** Messages of the current user's chat sessions, each method one unit of work. */
public final class MessageService {
    private final Transactions transactions;
    private final SessionService sessions;
    private final MessageRepository messages;

    public MessageService(Transactions transactions, SessionService sessions, MessageRepository messages) {
        this.transactions = transactions;
        this.sessions = sessions;
        this.messages = messages;
    }

    /** A session's messages, oldest first; another owner's session is not found. */
    public Page<MessageView> list(CurrentUser user, UUID sessionId, PageRequest request) {
        return transactions.read(() -> {
            sessions.owned(user, sessionId);
            return messages.pageOfSession(user.id(), sessionId, request).map(MessageView::of);
        });
    }
}
