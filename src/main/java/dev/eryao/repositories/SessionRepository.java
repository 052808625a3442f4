package dev.eryao.repositories;

import dev.eryao.core.db.BaseEntity_;
import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.core.db.Page;
import dev.eryao.core.db.PageRequest;
import dev.eryao.models.AgentChatSession;
import dev.eryao.models.AgentChatSession_;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    // A session's run in flight: its running or parked run, else its oldest queued one (the next to run).
    private static final String ACTIVE_RUN = """
            (select a.id from AgentRun a where a.sessionId = s.id
                and a.status in (dev.eryao.models.RunStatus.QUEUED, dev.eryao.models.RunStatus.RUNNING,
                    dev.eryao.models.RunStatus.REQUIRES_APPROVAL, dev.eryao.models.RunStatus.REQUIRES_ACTION)
                order by case when a.status = dev.eryao.models.RunStatus.QUEUED then 1 else 0 end,
                    a.createdAt, a.id limit 1)""";

    private static final String OWNED_FOR_RUN = """
            select new dev.eryao.repositories.RunAdmission(s, coalesce(b.balance, 0L), coalesce(b.held, 0L), m,
                (select count(r) from AgentRun r where r.ownerId = s.ownerId
                    and r.status in (dev.eryao.models.RunStatus.QUEUED, dev.eryao.models.RunStatus.RUNNING,
                    dev.eryao.models.RunStatus.REQUIRES_APPROVAL, dev.eryao.models.RunStatus.REQUIRES_ACTION)),
                (select max(r.turnAt) from AgentRun r where r.ownerId = s.ownerId
                    and r.status in (dev.eryao.models.RunStatus.QUEUED, dev.eryao.models.RunStatus.RUNNING,
                    dev.eryao.models.RunStatus.REQUIRES_APPROVAL, dev.eryao.models.RunStatus.REQUIRES_ACTION)),
                %s,
                (select count(p) from AgentChatMessage p where p.id = coalesce(:parent, :edits)
                    and p.sessionId = s.id and (:edits is null or p.role = dev.eryao.models.MessageRole.USER)),
                case when :parent is not null then :parent
                    when :edits is not null
                    then (select p.parentId from AgentChatMessage p where p.id = :edits and p.sessionId = s.id)
                    else coalesce(
                        (select coalesce(
                                (select n.id from AgentChatMessage n where n.runId = l.id
                                    order by n.createdAt desc, n.id desc limit 1),
                                l.questionId)
                            from AgentRun l where l.sessionId = s.id order by l.createdAt desc, l.id desc limit 1),
                        (select o.id from AgentChatMessage o where o.sessionId = s.id
                            order by o.createdAt desc, o.id desc limit 1)) end)
            from AgentChatSession s
            left join PointsBalance b on b.ownerId = s.ownerId
            left join LlmModel m on m.id = coalesce(:llm, s.llmId) and m.active = true
            where s.id = :id and s.ownerId = :owner""".formatted(SessionRepository.ACTIVE_RUN);

    private static final String OWNED_WITH_ACTIVE_RUN = """
            select new dev.eryao.repositories.SessionWithRun(
                s.id, s.ownerId, s.title, s.llmId, %s, s.createdAt, s.updatedAt)
            from AgentChatSession s where s.id = :id and s.ownerId = :owner""".formatted(SessionRepository.ACTIVE_RUN);

    private static final String ACTIVE_RUNS_OF = """
            select a.sessionId, a.id from AgentRun a
            where a.sessionId in :sessions
              and a.status in (dev.eryao.models.RunStatus.QUEUED, dev.eryao.models.RunStatus.RUNNING,
                    dev.eryao.models.RunStatus.REQUIRES_APPROVAL, dev.eryao.models.RunStatus.REQUIRES_ACTION)
            order by a.sessionId, case when a.status = dev.eryao.models.RunStatus.QUEUED then 1 else 0 end,
                a.createdAt, a.id""";

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
     * {@link #getOwned}, the owner's points, the run's model, the owner's open runs, the session's
     * run in flight and where the run's question goes in one statement: accepting a run needs them
     * all, so one round trip answers what would otherwise take six.
     *
     * @param llmId           the model the run names, or null for the session's
     * @param parentMessageId the message the run's question is to follow, or null for the end of the
     *                        session's current branch (see MessageRepository#branchEnd, the same rule)
     * @param editsMessageId  a question the run's question replaces: it follows what that one
     *                        followed (null: the session's first message); null when not an edit
     */
    public Optional<RunAdmission> getOwnedForRun(
            UUID ownerId, UUID sessionId, UUID llmId, UUID parentMessageId, UUID editsMessageId) {
        return Optional.ofNullable(session()
                .createSelectionQuery(OWNED_FOR_RUN, RunAdmission.class)
                .setParameter("id", sessionId)
                .setParameter("owner", ownerId)
                .setParameter("llm", llmId, UUID.class)
                .setParameter("parent", parentMessageId, UUID.class)
                .setParameter("edits", editsMessageId, UUID.class)
                .getSingleResultOrNull());
    }

    /**
     * Takes the session's row lock for accepting a run, until the transaction ends: two runs sent
     * to one session at once are accepted one after the other, so the second's read (the next
     * statement: a fresh snapshot) sees the first's question and run, and its question follows
     * them, in the same order as the claim performs them. {@code FOR NO KEY UPDATE}: the inserts
     * that name the session (their foreign keys' share locks) do not wait for it.
     */
    public void lockForNewRun(UUID ownerId, UUID sessionId) {
        session()
                .createNativeQuery(
                        "SELECT id FROM agent_chat_session WHERE id = :id AND owner_id = :owner AND deleted_at IS NULL"
                                + " FOR NO KEY UPDATE",
                        Object.class)
                .addSynchronizedEntityClass(AgentChatSession.class)
                .setParameter("id", sessionId)
                .setParameter("owner", ownerId)
                .getResultList();
    }

    /**
     * Announces a change of the session itself (its deletion) on the runs' channel, with the
     * session's id as the key: its event streams, waiting for its next run, hear of it and end.
     */
    public void announce(UUID sessionId) {
        session()
                .createNativeQuery("SELECT pg_notify('eryao_run', CAST(:id AS text)) IS NOT NULL AS sent", Object.class)
                .setParameter("id", sessionId.toString())
                .getResultList();
    }

    /**
     * {@link #getOwned} with the session's run in flight, in one statement, as values (no entity:
     * see {@link SessionWithRun}); the mapping's soft-delete restriction applies as to any query
     * of the entity.
     */
    public Optional<SessionWithRun> getOwnedWithActiveRun(UUID ownerId, UUID sessionId) {
        return Optional.ofNullable(session()
                .createSelectionQuery(OWNED_WITH_ACTIVE_RUN, SessionWithRun.class)
                .setParameter("id", sessionId)
                .setParameter("owner", ownerId)
                .getSingleResultOrNull());
    }

    /** The run in flight of each of these sessions that has one (see {@link #getOwnedWithActiveRun}). */
    public Map<UUID, UUID> activeRunsOf(Collection<UUID> sessionIds) {
        Map<UUID, UUID> active = new HashMap<>();
        if (sessionIds.isEmpty()) {
            return active;
        }
        for (Object[] row : session()
                .createSelectionQuery(ACTIVE_RUNS_OF, Object[].class)
                .setParameter("sessions", sessionIds)
                .getResultList()) {
            active.putIfAbsent((UUID) row[0], (UUID) row[1]);
        }
        return active;
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
