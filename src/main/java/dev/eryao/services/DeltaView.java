package dev.eryao.services;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.eryao.models.AgentRunDelta;
import dev.eryao.repositories.DeltaPage;

/**
 * A piece of a run attempt's stream as its event stream sends it: a piece of the answer's text
 * ({@code {"attempt", "index", "text"}}), or a tool call or result, whose {@code text} is then the
 * event as JSON ({@link AgentRunDelta#TOOL_CALL}, {@link AgentRunDelta#TOOL_RESULT}).
 */
public record DeltaView(int attempt, int index, @JsonIgnore String kind, String text) {
    public DeltaView(int attempt, int index, String text) {
        this(attempt, index, AgentRunDelta.TEXT, text);
    }

    static DeltaView of(DeltaPage.Piece piece) {
        return new DeltaView(piece.attempt(), piece.index(), piece.kind(), piece.content());
    }

    public StreamPosition position() {
        return new StreamPosition(attempt, index);
    }

    /** Whether this is a piece of the answer's text (else a tool call or result). */
    public boolean textPiece() {
        return AgentRunDelta.TEXT.equals(kind);
    }
}
