package dev.eryao.repositories;

import dev.eryao.models.AgentChatSession;
import dev.eryao.models.Llm;

/**
 * What accepting a run needs: the session, its owner's points (0 for an owner who never had
 * any), and the model the run would use.
 *
 * @param model null when the run names no model and the session has none, or when the model
 *              named (or the session's) is not live and active
 */
public record RunStart(AgentChatSession session, long balance, long held, Llm model) {
    public long available() {
        return balance - held;
    }
}
