package dev.eryao.repositories;

import dev.eryao.models.AgentChatSession;
import java.util.UUID;

/** A session and its run in flight (its running run, else its oldest queued one; null when none is open). */
public record SessionWithRun(AgentChatSession session, UUID activeRun) {}
