package dev.eryao.services;

import java.util.List;

/** What a run's event stream has to send: the run as it is, and the pieces of its answer not yet sent. */
public record RunEvents(RunView run, List<DeltaView> deltas) {
    public RunEvents {
        deltas = List.copyOf(deltas);
    }
}
