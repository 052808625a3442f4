package dev.eryao.services;

import dev.eryao.models.PointsLedgerEntry;
import dev.eryao.repositories.EndedRun;
import dev.eryao.repositories.HoldRepository;
import dev.eryao.repositories.PointsLedgerRepository;
import dev.eryao.repositories.RunRepository;
import java.util.List;
import java.util.UUID;

/**
 * The points of runs a statement ended (failed, cancelled, rescued, stopped by a deleted session or
 * an {@code interrupt}): each is charged what its recorded steps were — the owner used them,
 * whoever ended the run — with one ledger debit like any run's, and the rest of its hold given
 * back. Within the caller's transaction, the one that ended the runs, so no run ends without its
 * points settled. One for the app (App builds it), shared by every service that ends runs.
 */
public final class EndedRuns {
    private final HoldRepository holds;
    private final PointsLedgerRepository ledger;
    private final RunRepository runs;

    public EndedRuns(HoldRepository holds, PointsLedgerRepository ledger, RunRepository runs) {
        this.holds = holds;
        this.ledger = ledger;
        this.runs = runs;
    }

    /** Settles those of {@code ended} that ended; the runs charged, each with what it was charged. */
    List<HoldRepository.Charged> settle(List<EndedRun> ended) {
        List<HoldRepository.Charged> charged = holds.end(ended);
        for (HoldRepository.Charged run : charged) {
            runs.recordChargedForSteps(
                    run.run().runId(), run.run().stepsPoints(), run.settlement().charged());
            if (run.settlement().charged() > 0) {
                ledger.add(debit(
                        run.run().ownerId(),
                        run.run().runId(),
                        run.settlement().charged(),
                        run.settlement().balanceAfter()));
            }
        }
        return charged;
    }

    /** A run's one ledger row: named by the run, so nothing can charge it twice. */
    static PointsLedgerEntry debit(UUID ownerId, UUID runId, long charged, long balanceAfter) {
        return new PointsLedgerEntry(
                ownerId,
                -charged,
                balanceAfter,
                "agent run",
                RunExecutionService.LEDGER_REFERENCE,
                runId,
                RunExecutionService.LEDGER_REFERENCE + ":" + runId);
    }
}
