package dev.eryao.repositories;

import dev.eryao.core.db.BaseEntity_;
import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.models.LlmFactory;
import dev.eryao.models.LlmFactory_;
import java.util.List;
import java.util.Optional;
import org.hibernate.query.Order;
import org.hibernate.query.restriction.Restriction;

/** LLM providers. */
public class LlmFactoryRepository extends BaseRepository<LlmFactory> {
    public LlmFactoryRepository(CurrentSession sessions) {
        super(sessions, LlmFactory.class);
    }

    public Optional<LlmFactory> byName(String name) {
        return getOne(Restriction.equal(LlmFactory_.name, name));
    }

    /** Every live factory, by name. */
    public List<LlmFactory> all(int limit) {
        return list(Restriction.unrestricted(), limit, Order.asc(LlmFactory_.name), Order.asc(BaseEntity_.id));
    }
}
