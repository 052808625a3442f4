package dev.eryao.repositories;

import dev.eryao.core.db.BaseEntity_;
import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.models.LlmModel;
import dev.eryao.models.LlmModel_;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.query.Order;
import org.hibernate.query.restriction.Restriction;

/** The models of the catalog. */
public class LlmModelRepository extends BaseRepository<LlmModel> {
    public LlmModelRepository(CurrentSession sessions) {
        super(sessions, LlmModel.class);
    }

    /**
     * The model a run is performed with, and its factory's name, in one query: live, active, and
     * the factory's name empty when the factory is gone.
     */
    public Optional<ActiveModel> getActiveWithFactory(UUID llmId) {
        return session()
                .createSelectionQuery("""
                        select new dev.eryao.repositories.ActiveModel(l, coalesce(f.name, ''))
                        from LlmModel l left join LlmFactory f on f.id = l.factoryId
                        where l.id = :id and l.active = true""", ActiveModel.class)
                .setParameter("id", llmId)
                .getResultStream()
                .findFirst();
    }

    /** A model a session may use: live and active. */
    public Optional<LlmModel> getActive(UUID llmId) {
        return getOne(Restriction.equal(BaseEntity_.id, llmId), Restriction.equal(LlmModel_.active, true));
    }

    /** The catalog users choose from: live, active models, by display name. */
    public List<LlmModel> activeModels(int limit) {
        return list(
                Restriction.equal(LlmModel_.active, true),
                limit,
                Order.asc(LlmModel_.displayName),
                Order.asc(BaseEntity_.id));
    }

    /** The live model with this code at this factory, if any. */
    public Optional<LlmModel> byFactoryAndCode(UUID factoryId, String modelCode) {
        return getOne(
                Restriction.equal(LlmModel_.factoryId, factoryId), Restriction.equal(LlmModel_.modelCode, modelCode));
    }

    /** How many live models (active or not) a factory has. */
    public long countOfFactory(UUID factoryId) {
        return count(Restriction.equal(LlmModel_.factoryId, factoryId));
    }
}
