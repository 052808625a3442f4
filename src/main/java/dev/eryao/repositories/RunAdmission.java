package dev.eryao.repositories;

import dev.eryao.models.AgentChatSession;
import dev.eryao.models.LlmModel;
import java.time.Instant;
import java.util.UUID;

/**
 * What accepting a run needs: the session, its owner's points (0 for an owner who never had
 * any), and the model the run would use.
 *
 * @param model    null when the run names no model and the session has none, or when the model
 *                 named (or the session's) is not live and active
 * @param openRuns the owner's runs queued or running now
 * @param lastTurn the latest turn among them (see {@code AgentRun.turn_at}), null when there are none
 * @param activeRun the session's run in flight: its running run, else its oldest queued one; null
 *                  when it has none open
 * @param namedMessageFound whether the message the request named (its parent, or the question it
 *                  edits, a user message) is one of this session's; 0 when it named none
 * @param parent    the message the run's question is to follow: the one the request named; for an
 *                  edit, what the edited question followed (null: it was the first); else where the
 *                  session's current branch ends (null for a session with no message)
 */
public record RunAdmission(
        AgentChatSession session,
        long balance,
        long held,
        LlmModel model,
        long openRuns,
        Instant lastTurn,
        UUID activeRun,
        long namedMessageFound,
        UUID parent) {
    public long available() {
        return balance - held;
    }
}
