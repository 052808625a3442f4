package dev.eryao.services.tools;

import java.util.UUID;

/**
 * A tool an administrator registered (a tool of a registered MCP server), as a run's model is
 * offered it and as the run's worker calls it.
 *
 * @param name             the name the model sees and calls, unique among a run's tools
 *                         ({@code <server>__<tool>})
 * @param description      the tool's description, as its server gave it
 * @param inputSchemaJson  the tool's JSON Schema for its arguments, as its server gave it
 * @param requiresApproval a call parks the run until the owner approves or denies it
 * @param pricePerCall     points held before each call and charged for it (0: free)
 * @param serverId         the registered server the tool is called on
 * @param toolName         the tool's name on its server
 */
public record RegisteredTool(
        String name,
        String description,
        String inputSchemaJson,
        boolean requiresApproval,
        long pricePerCall,
        UUID serverId,
        String toolName) {}
