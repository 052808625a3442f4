package dev.eryao.repositories;

import dev.eryao.core.db.BaseEntity_;
import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.models.McpServerRegistration;
import dev.eryao.models.McpServerRegistration_;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.hibernate.query.Order;
import org.hibernate.query.restriction.Restriction;

/** The registered MCP servers (live ones: deleted registrations are never read). */
public class McpServerRepository extends BaseRepository<McpServerRegistration> {
    public McpServerRepository(CurrentSession sessions) {
        super(sessions, McpServerRegistration.class);
    }

    public Optional<McpServerRegistration> byName(String name) {
        return getOne(Restriction.equal(McpServerRegistration_.name, name));
    }

    /** The live registrations of these names, enabled or not. */
    public List<McpServerRegistration> byNames(Collection<String> names, int limit) {
        if (names.isEmpty()) {
            return List.of();
        }
        return list(
                Restriction.in(McpServerRegistration_.name, List.copyOf(names)),
                limit,
                Order.asc(McpServerRegistration_.name));
    }

    /** Every live registration, by name. */
    public List<McpServerRegistration> all(int limit) {
        return list(
                Restriction.unrestricted(), limit, Order.asc(McpServerRegistration_.name), Order.asc(BaseEntity_.id));
    }
}
