package dev.eryao.repositories;

import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.core.db.Page;
import dev.eryao.core.db.PageRequest;
import dev.eryao.models.AgentChatSession;
import dev.eryao.models.AgentChatSession_;
import dev.eryao.core.db.BaseEntity_;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.query.Order;
import org.hibernate.query.restriction.Restriction;

/** Chat sessions, always seen through their owner (the seed's {@code AgentRepository}). */
public class AgentRepository extends BaseRepository<AgentChatSession> {
    private static final String OWNED_WITH_BALANCE = """
            select s, b.balance from AgentChatSession s left join PointsBalance b on b.ownerId = s.ownerId
            where s.id = :id and s.ownerId = :owner""";

    /** A session and its owner's points balance (0 for an owner who never had points). */
    public record SessionWithBalance(AgentChatSession session, long balance) {
    }

    public AgentRepository(CurrentSession sessions) {
        super(sessions, AgentChatSession.class);
    }

    /**
     * The owner's live session with this id; another owner's session is simply not found. A load by
     * primary key (Hibernate's cheapest read: its SQL is made once at start-up, where a criteria
     * query is built and looked up on every call) followed by the owner check.
     */
    public Optional<AgentChatSession> getOwned(UUID ownerId, UUID sessionId) {
        return getById(sessionId).filter(session -> session.getOwnerId().equals(ownerId));
    }

    /**
     * {@link #getOwned} and the owner's points balance in one statement: starting a run needs both,
     * and one round trip instead of two saved about a sixth of the CPU (JVM and PostgreSQL) that
     * accepting a run costs.
     */
    public Optional<SessionWithBalance> getOwnedWithBalance(UUID ownerId, UUID sessionId) {
        Object[] row = session().createSelectionQuery(OWNED_WITH_BALANCE, Object[].class)
                .setParameter("id", sessionId)
                .setParameter("owner", ownerId)
                .getSingleResultOrNull();
        return Optional.ofNullable(row).map(r -> new SessionWithBalance((AgentChatSession) r[0],
                r[1] == null ? 0 : (Long) r[1]));
    }

    /** The seed's {@code get_active_sessions_by_user}: newest first, deleted ones excluded by the mapping. */
    public List<AgentChatSession> activeSessionsOf(UUID ownerId, int limit) {
        return list(Restriction.equal(AgentChatSession_.ownerId, ownerId), limit,
                Order.desc(BaseEntity_.createdAt), Order.desc(BaseEntity_.id));
    }

    public Page<AgentChatSession> pageOf(UUID ownerId, PageRequest request) {
        return page(Restriction.equal(AgentChatSession_.ownerId, ownerId), request);
    }
}
