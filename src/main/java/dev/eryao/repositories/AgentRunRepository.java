package dev.eryao.repositories;

import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.models.AgentRun;
import dev.eryao.models.AgentRun_;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.query.restriction.Restriction;

/** Agent runs, the queued tasks. */
public class AgentRunRepository extends BaseRepository<AgentRun> {
    public AgentRunRepository(CurrentSession sessions) {
        super(sessions, AgentRun.class);
    }

    /** The owner's live run with this id (a load by primary key, then the owner check). */
    public Optional<AgentRun> getOwned(UUID ownerId, UUID runId) {
        return getById(runId).filter(run -> run.getOwnerId().equals(ownerId));
    }

    public Optional<AgentRun> byIdempotencyKey(UUID ownerId, String idempotencyKey) {
        return getOne(Restriction.equal(AgentRun_.ownerId, ownerId),
                Restriction.equal(AgentRun_.idempotencyKey, idempotencyKey));
    }
}
