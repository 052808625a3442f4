package dev.eryao.services;

import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Cursor;
import dev.eryao.core.db.Page;
import dev.eryao.core.db.PageRequest;
import dev.eryao.core.db.Transactions;
import dev.eryao.repositories.MessageRepository;
import dev.eryao.repositories.MessageWithRun;
import java.util.List;
import java.util.UUID;

/**
 * Messages of the current user's chat sessions, each method one unit of work. A session's messages
 * are a tree (regenerate and edit add siblings); what a page shows is one branch of it, oldest
 * first: by default the current one — the branch of the session's latest run — or the branch
 * through a message the owner chose (the way to show another sibling), or every message at once.
 */
public final class MessageService {
    private final Transactions transactions;
    private final SessionService sessions;
    private final MessageRepository messages;

    public MessageService(Transactions transactions, SessionService sessions, MessageRepository messages) {
        this.transactions = transactions;
        this.sessions = sessions;
        this.messages = messages;
    }

    /** Which messages of a session a list returns. */
    public sealed interface Selection {
        /** The session's current branch: through where its latest run's messages end. */
        record CurrentBranch() implements Selection {}

        /** The branch through this message: what it follows, itself, and the newest reply of each after it. */
        record Through(UUID messageId) implements Selection {}

        /** Every message of the session, oldest first (each carries its parent_id: the whole tree). */
        record All() implements Selection {}
    }

    /**
     * A page of a session's messages, oldest first; another owner's session is not found, and so is
     * a message to show the branch through that is not this session's.
     */
    public Page<MessageView> list(CurrentUser user, UUID sessionId, Selection selection, PageRequest request) {
        // A transaction, not a read-only unit: the branch is a recursive query (native SQL).
        return transactions.fromTransaction(() -> {
            sessions.owned(user, sessionId);
            return switch (selection) {
                case Selection.All all ->
                    messages.pageOfSession(user.id(), sessionId, request).map(MessageView::of);
                case Selection.CurrentBranch current -> {
                    UUID end = messages.branchEnd(sessionId);
                    yield end == null
                            ? new Page<>(List.of(), null)
                            : pageOf(messages.branchThrough(user.id(), sessionId, end), request);
                }
                case Selection.Through through -> {
                    List<MessageWithRun> branch = messages.branchThrough(user.id(), sessionId, through.messageId());
                    if (branch.isEmpty()) {
                        throw new NotFoundException("message");
                    }
                    yield pageOf(branch, request);
                }
            };
        });
    }

    /** The page of a branch after the cursor's message (which must be on the branch). */
    private static Page<MessageView> pageOf(List<MessageWithRun> branch, PageRequest request) {
        int from = 0;
        if (request.after() != null) {
            UUID after = request.after().id();
            int at = -1;
            for (int i = 0; i < branch.size(); i++) {
                if (branch.get(i).id().equals(after)) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {
                throw InvalidInputException.field(
                        "cursor",
                        "names a message that is not on this branch (it changed): read it again from the start");
            }
            from = at + 1;
        }
        int to = Math.min(branch.size(), from + request.limit());
        List<MessageView> items =
                branch.subList(from, to).stream().map(MessageView::of).toList();
        MessageWithRun last = to > from ? branch.get(to - 1) : null;
        Cursor next = to < branch.size() && last != null ? new Cursor(last.createdAt(), last.id()) : null;
        return new Page<>(items, next);
    }
}
