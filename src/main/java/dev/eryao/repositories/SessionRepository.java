package dev.eryao.repositories;

import dev.eryao.core.db.BaseEntity_;
import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.core.db.Page;
import dev.eryao.core.db.PageRequest;
import dev.eryao.models.AgentChatSession;
import dev.eryao.models.AgentChatSession_;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.query.Order;
import org.hibernate.query.restriction.Restriction;

/** Chat sessions, always seen through their owner (the seed's {@code AgentRepository}). */
public class SessionRepository extends BaseRepository<AgentChatSession> {
    // The model is the one the run names, else the session's; the join finds it only while it is
    // live (the mapping's soft-delete filter applies to joined entities too) and active.
    // The owner's open runs are counted, and their last turn found, by the (owner_id, turn_at)
    // index of open runs: the statuses are literals so that its partial predicate applies.
    private static final String OWNED_FOR_RUN = """
            select new dev.eryao.repositories.RunAdmission(s, coalesce(b.balance, 0L), coalesce(b.held, 0L), m,
                (select count(r) from AgentRun r where r.ownerId = s.ownerId
                    and r.status in (dev.eryao.models.RunStatus.QUEUED, dev.eryao.models.RunStatus.RUNNING)),
                (select max(r.turnAt) from AgentRun r where r.ownerId = s.ownerId
                    and r.status in (dev.eryao.models.RunStatus.QUEUED, dev.eryao.models.RunStatus.RUNNING)))
            from AgentChatSession s
            left join PointsBalance b on b.ownerId = s.ownerId
            left join LlmModel m on m.id = coalesce(:llm, s.llmId) and m.active = true
            where s.id = :id and s.ownerId = :owner""";

    public SessionRepository(CurrentSession sessions) {
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
     * {@link #getOwned}, the owner's points, the run's model and the owner's open runs in one
     * statement: accepting a run needs all four, so one round trip answers what would otherwise take four.
     *
     * @param llmId the model the run names, or null for the session's
     */
    public Optional<RunAdmission> getOwnedForRun(UUID ownerId, UUID sessionId, UUID llmId) {
        return Optional.ofNullable(session()
                .createSelectionQuery(OWNED_FOR_RUN, RunAdmission.class)
                .setParameter("id", sessionId)
                .setParameter("owner", ownerId)
                .setParameter("llm", llmId, UUID.class)
                .getSingleResultOrNull());
    }

    /** The seed's {@code get_active_sessions_by_user}: newest first, deleted ones excluded by the mapping. */
    public List<AgentChatSession> activeSessionsOf(UUID ownerId, int limit) {
        return list(
                Restriction.equal(AgentChatSession_.ownerId, ownerId),
                limit,
                Order.desc(BaseEntity_.createdAt),
                Order.desc(BaseEntity_.id));
    }

    public Page<AgentChatSession> pageOf(UUID ownerId, PageRequest request) {
        return page(Restriction.equal(AgentChatSession_.ownerId, ownerId), request);
    }
}
