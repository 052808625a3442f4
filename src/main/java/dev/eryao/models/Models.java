package dev.eryao.models;

import java.util.List;

/** Every mapped model, for building the session factory (and, later, for comparing with the schema). */
public final class Models {
    public static final List<Class<?>> ALL = List.of(
            LlmFactory.class,
            LlmModel.class,
            AgentChatSession.class,
            AgentChatMessage.class,
            AgentRun.class,
            AgentRunDelta.class,
            AgentRunStep.class,
            PointsLedgerEntry.class,
            PointsBalance.class,
            StreamTicket.class,
            McpServerRegistration.class);

    private Models() {}
}
