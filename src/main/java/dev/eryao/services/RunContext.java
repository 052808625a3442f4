package dev.eryao.services;

import dev.eryao.llm.ChatMessage;
import dev.eryao.repositories.AgentRunQueue;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

/**
 * Everything a worker needs to perform one claimed run outside any transaction: which attempt it
 * holds, the model to call and its prices, and the session's conversation so far.
 *
 * @param problem why the run cannot be performed at all (no model chosen, the model was removed),
 *                or null
 */
public record RunContext(AgentRunQueue.Claim claim, UUID ownerId, UUID sessionId, String requestUrl, String factoryName,
                         String modelCode, BigDecimal inputPricePer1k, BigDecimal outputPricePer1k,
                         List<ChatMessage> messages, String problem) {
    public RunContext {
        messages = List.copyOf(messages);
    }

    static RunContext unusable(AgentRunQueue.Claim claim, UUID ownerId, UUID sessionId, String problem) {
        return new RunContext(claim, ownerId, sessionId, null, null, null, null, null, List.of(), problem);
    }
}
