package dev.eryao.services;

import java.util.List;

/**
 * What a run's event stream sends next: one page of the pieces of its answer not yet sent and, when
 * that page reached the end of what was stored, the run as it was read just before it.
 *
 * @param run    the run, read before the page; null when the page is not the end of what is stored,
 *               or was read without the run ({@link RunService#piecesAfter}). A stream sends a
 *               run's status only from a page that has it, so a finished status never comes
 *               before a piece written before it.
 * @param deltas at most one page ({@link RunService#PAGE_PIECES}, {@link RunService#PAGE_BYTES})
 * @param more   more pieces were stored after the page: read the next one at once
 */
public record RunEvents(RunView run, List<DeltaView> deltas, boolean more) {
    public RunEvents {
        deltas = List.copyOf(deltas);
        if (more && run != null) {
            throw new IllegalArgumentException("a page with more after it carries no run");
        }
    }
}
