package dev.eryao.repositories;

import java.util.List;

/**
 * One page of the stored pieces of a run attempt's answer, in order, and whether more pieces were
 * stored after them. Both come from one statement, so "no more" is true of the moment the page was
 * read.
 */
public record DeltaPage(List<Piece> pieces, boolean more) {
    /**
     * A stored piece: its attempt, its index within the attempt, its kind (AgentRunDelta: text, a
     * tool call, a result) and its content (the text, or the tool event as JSON).
     */
    public record Piece(int attempt, int index, String kind, String content) {}

    public DeltaPage {
        pieces = List.copyOf(pieces);
        if (more && pieces.isEmpty()) {
            throw new IllegalArgumentException("a page with more after it holds at least one piece");
        }
    }

    /** The page of rows {@code (attempt, delta_index, kind, content, index of the next piece or null)}. */
    static DeltaPage of(List<Object[]> rows) {
        List<Piece> pieces = rows.stream()
                .map(row -> new Piece((Integer) row[0], (Integer) row[1], (String) row[2], (String) row[3]))
                .toList();
        return new DeltaPage(pieces, !rows.isEmpty() && rows.getLast()[4] != null);
    }
}
