package dev.eryao.repositories;

import dev.eryao.models.AgentChatSession;
import dev.eryao.models.LlmModel;
import java.time.Instant;

/**
 * What accepting a run needs: the session, its owner's points (0 for an owner who never had
 * any), and the model the run would use.
 *
 * @param model    null when the run names no model and the session has none, or when the model
 *                 named (or the session's) is not live and active
 * @param openRuns the owner's runs queued or running now
 * @param lastTurn the latest turn among them (see {@code AgentRun.turn_at}), null when there are none
 */
public record RunAdmission(
        AgentChatSession session, long balance, long held, LlmModel model, long openRuns, Instant lastTurn) {
    public long available() {
        return balance - held;
    }
}
