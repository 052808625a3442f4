package dev.eryao.services;

import dev.eryao.repositories.DeltaPage;

/** A piece of a run's answer as its event stream sends it: {@code {"index", "text"}}, and its attempt. */
public record DeltaView(int attempt, int index, String text) {
    static DeltaView of(DeltaPage.Piece piece) {
        return new DeltaView(piece.attempt(), piece.index(), piece.content());
    }

    public StreamPosition position() {
        return new StreamPosition(attempt, index);
    }
}
