package dev.eryao.services;

import dev.eryao.models.AgentRunDelta;

/** A piece of a run's answer as its event stream sends it: {@code {"index", "text"}}, and its attempt. */
public record DeltaView(int attempt, int index, String text) {
    static DeltaView of(AgentRunDelta delta) {
        return new DeltaView(delta.getAttempt(), delta.getDeltaIndex(), delta.getContent());
    }

    public StreamPosition position() {
        return new StreamPosition(attempt, index);
    }
}
