package dev.eryao.repositories;

import dev.eryao.core.db.BaseEntity_;
import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.models.Llm;
import dev.eryao.models.Llm_;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.query.restriction.Restriction;

/** The models of the catalog. */
public class LlmRepository extends BaseRepository<Llm> {
    public LlmRepository(CurrentSession sessions) {
        super(sessions, Llm.class);
    }

    /** A model a session may use: live and active. */
    public Optional<Llm> getActive(UUID llmId) {
        return getOne(Restriction.equal(BaseEntity_.id, llmId), Restriction.equal(Llm_.active, true));
    }
}
