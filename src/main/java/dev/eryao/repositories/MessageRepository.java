package dev.eryao.repositories;

import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.core.db.Page;
import dev.eryao.core.db.PageRequest;
import dev.eryao.models.AgentChatMessage;
import dev.eryao.models.AgentChatMessage_;
import java.util.UUID;
import org.hibernate.query.restriction.Restriction;

/** Messages of chat sessions. */
public class MessageRepository extends BaseRepository<AgentChatMessage> {
    public MessageRepository(CurrentSession sessions) {
        super(sessions, AgentChatMessage.class);
    }

    /** A session's messages, oldest first. */
    public Page<AgentChatMessage> pageOfSession(UUID ownerId, UUID sessionId, PageRequest request) {
        return page(
                Restriction.all(
                        Restriction.equal(AgentChatMessage_.ownerId, ownerId),
                        Restriction.equal(AgentChatMessage_.sessionId, sessionId)),
                request);
    }
}
