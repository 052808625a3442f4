package dev.eryao.repositories;

import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.core.db.Page;
import dev.eryao.core.db.PageRequest;
import dev.eryao.models.PointsLedgerEntry;
import dev.eryao.models.PointsLedgerEntry_;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.query.restriction.Restriction;

/** The append-only ledger: rows are added and read, never changed ({@code softDeleteById} refuses). */
public class PointsLedgerRepository extends BaseRepository<PointsLedgerEntry> {
    public PointsLedgerRepository(CurrentSession sessions) {
        super(sessions, PointsLedgerEntry.class);
    }

    public Optional<PointsLedgerEntry> byIdempotencyKey(UUID ownerId, String idempotencyKey) {
        return getOne(
                Restriction.equal(PointsLedgerEntry_.ownerId, ownerId),
                Restriction.equal(PointsLedgerEntry_.idempotencyKey, idempotencyKey));
    }

    public Page<PointsLedgerEntry> pageOf(UUID ownerId, PageRequest request) {
        return page(Restriction.equal(PointsLedgerEntry_.ownerId, ownerId), request);
    }
}
