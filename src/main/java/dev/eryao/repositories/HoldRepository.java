package dev.eryao.repositories;

import dev.eryao.core.db.CurrentSession;
import dev.eryao.core.db.NativeStatement;
import dev.eryao.core.db.RepositorySession;
import dev.eryao.models.AgentRun;
import dev.eryao.models.PointsBalance;
import jakarta.persistence.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Holds: the points a queued or running run keeps from its owner's balance, the most it can cost.
 * Every statement that changes a hold is here, and every path uses these (docs/runs.md has the
 * table): a hold is {@link #take taken} when a run is accepted, {@link #raise raised} at claim when
 * the conversation sent with the input costs more, {@link #settle settled} when the run finishes
 * (its cost charged from it, never more, the rest given back), and {@link #end ended} when a run
 * ends otherwise (failed, cancelled by a statement, rescued into an end): what its recorded steps
 * were charged is taken from it, never more, and the rest given back. Two
 * columns carry a hold: {@code agent_run.held_points} (the run's) and {@code points_balance.held}
 * (their sum over the owner's open runs, under {@code CHECK (held >= 0 AND held <= balance)}).
 *
 * <p>Each statement changes one owner's balance row with one conditional UPDATE: PostgreSQL's row
 * lock orders concurrent changes of one owner, in any number of processes, and the condition is
 * checked under it, so no interleaving can hold what is not there.
 */
public class HoldRepository {
    // Available points are the balance less what is held: a hold takes only what is available.
    private static final String TAKE = """
            UPDATE points_balance SET held = held + :amount, updated_at = now()
            WHERE owner_id = :owner AND balance - held >= :amount
            RETURNING held""";

    // The run's own record of its hold, on the claimed attempt only.
    private static final String RECORD_ON_RUN = """
            UPDATE agent_run SET held_points = :held, updated_at = :now
            WHERE id = :id AND status = 'running' AND leased_by = :worker AND attempts = :attempt""";

    // A finished run pays its cost from its own hold and never more: a provider that reports more
    // than the hold's bound allowed for (RunPrice) is charged the hold, the rest recorded on the run
    // for the administrator, never taken from the owner's other points. The hold is given back in
    // the same statement.
    private static final String SETTLE = """
            UPDATE points_balance SET balance = balance - least(:cost, :hold), held = held - :hold,
                updated_at = now()
            WHERE owner_id = :owner
            RETURNING least(:cost, :hold) AS charged, balance""";

    // Runs that ended without a charge give their holds back: one statement per owner.
    private static final String RELEASE = """
            UPDATE points_balance SET held = held - :amount, updated_at = now()
            WHERE owner_id = :owner""";

    private final CurrentSession sessions;

    public HoldRepository(CurrentSession sessions) {
        this.sessions = sessions;
    }

    /**
     * Holds {@code amount} (> 0) of the owner's available points for a run being accepted; false,
     * changing nothing, when fewer are available.
     */
    public boolean take(UUID ownerId, long amount) {
        return !balanceStatement(TAKE, Tuple.class)
                .setParameter("owner", ownerId)
                .setParameter("amount", amount)
                .getResultList()
                .isEmpty();
    }

    /**
     * Raises the claimed run's hold from {@code claim.heldPoints()} to {@code held}, taking the
     * difference from its owner's available points; false, changing nothing, when fewer are
     * available. Within the claim's transaction, so the guard holds.
     */
    public boolean raise(RunClaim claim, String worker, long held, Instant now) {
        if (!take(claim.ownerId(), held - claim.heldPoints())) {
            return false;
        }
        session()
                .createNativeQuery(RECORD_ON_RUN, Object.class)
                .addSynchronizedEntityClass(AgentRun.class)
                .setParameter("held", held)
                .setParameter("now", now)
                .setParameter("id", claim.runId())
                .setParameter("worker", worker)
                .setParameter("attempt", claim.attempt())
                .executeUpdate();
        return true;
    }

    /**
     * Raises the claimed run's hold from {@code from} to {@code to} before its next step (a running
     * run, in a unit of work of its own): the difference taken from its owner's available points.
     *
     * @return false, changing nothing, when fewer are available
     * @throws LostClaim when the claim is no longer this worker's (the caller rolls back the take)
     */
    public boolean raise(RunClaim claim, String worker, long from, long to, Instant now) {
        if (!take(claim.ownerId(), to - from)) {
            return false;
        }
        int recorded = session()
                .createNativeQuery(RECORD_ON_RUN, Object.class)
                .addSynchronizedEntityClass(AgentRun.class)
                .setParameter("held", to)
                .setParameter("now", now)
                .setParameter("id", claim.runId())
                .setParameter("worker", worker)
                .setParameter("attempt", claim.attempt())
                .executeUpdate();
        if (recorded == 0) {
            throw new LostClaim();
        }
        return true;
    }

    /** Thrown inside a unit of work to roll it back: the claim the change was for is lost. */
    public static final class LostClaim extends RuntimeException {
        LostClaim() {
            super(null, null, false, false);
        }
    }

    /**
     * Charges a finished run {@code cost}, at most its {@code hold}, and gives the hold back; what
     * was charged and the balance after.
     */
    public Settlement settle(UUID ownerId, long cost, long hold) {
        return balanceStatement(SETTLE, Tuple.class)
                .setParameter("owner", ownerId)
                .setParameter("cost", cost)
                .setParameter("hold", hold)
                .getResultList()
                .stream()
                .findFirst()
                .map(row -> new Settlement(row.get("charged", Long.class), row.get("balance", Long.class)))
                .orElse(Settlement.NONE);
    }

    /**
     * Settles those of {@code runs} that ended: each is charged what its recorded steps were
     * ({@link EndedRun#owed}, never more than it held) and gives the rest of its hold back; those
     * whose steps cost nothing only give their holds back, one statement per owner. Owners are
     * taken in one order, so two transactions ending runs of the same owners cannot deadlock.
     *
     * @return the runs that were charged, each with its settlement (for its ledger row)
     */
    public List<Charged> end(List<EndedRun> runs) {
        Map<UUID, List<EndedRun>> byOwner = new TreeMap<>();
        for (EndedRun run : runs) {
            if (run.holdsToRelease()) {
                byOwner.computeIfAbsent(run.ownerId(), owner -> new ArrayList<>())
                        .add(run);
            }
        }
        List<Charged> charged = new ArrayList<>();
        byOwner.forEach((owner, ended) -> {
            long released = 0;
            for (EndedRun run : ended) {
                if (run.owed() > 0) {
                    charged.add(new Charged(run, settle(owner, run.owed(), run.heldPoints())));
                } else {
                    released += run.heldPoints();
                }
            }
            if (released > 0) {
                balanceStatement(RELEASE, Object.class)
                        .setParameter("owner", owner)
                        .setParameter("amount", released)
                        .executeUpdate();
            }
        });
        return charged;
    }

    /** An ended run that was charged for its steps, and what that left. */
    public record Charged(EndedRun run, Settlement settlement) {}

    private <R> NativeStatement<R> balanceStatement(String sql, Class<R> type) {
        return session().createNativeQuery(sql, type).addSynchronizedEntityClass(PointsBalance.class);
    }

    private RepositorySession session() {
        return sessions.session();
    }
}
