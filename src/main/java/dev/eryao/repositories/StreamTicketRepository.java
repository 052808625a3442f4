package dev.eryao.repositories;

import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.models.StreamTicket;
import dev.eryao.models.StreamTicket_;
import java.time.Instant;
import java.util.Optional;
import org.hibernate.query.restriction.Restriction;

/** Stream tickets, found by the hash of the ticket a client shows. */
public class StreamTicketRepository extends BaseRepository<StreamTicket> {
    // At most :limit expired tickets, oldest first; rows another transaction is sweeping are
    // skipped rather than waited for, so concurrent issues never queue behind each other.
    private static final String SWEEP = """
            DELETE FROM stream_ticket WHERE id IN (
                SELECT id FROM stream_ticket WHERE expires_at < :now
                ORDER BY expires_at LIMIT :limit FOR UPDATE SKIP LOCKED)""";

    public StreamTicketRepository(CurrentSession sessions) {
        super(sessions, StreamTicket.class);
    }

    /** The ticket with this hash, expired or not. */
    public Optional<StreamTicket> findByHash(String ticketHash) {
        return getOne(Restriction.equal(StreamTicket_.ticketHash, ticketHash));
    }

    /** Deletes up to {@code limit} tickets that expired before {@code now}; how many it deleted. */
    public int sweepExpired(Instant now, int limit) {
        return session()
                .createNativeQuery(SWEEP, Object.class)
                .addSynchronizedEntityClass(StreamTicket.class)
                .setParameter("now", now)
                .setParameter("limit", limit)
                .executeUpdate();
    }
}
