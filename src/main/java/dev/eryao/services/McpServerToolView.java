package dev.eryao.services;

/**
 * One tool a registered server lists, with what its registration makes of it.
 *
 * @param name             the tool's name on its server
 * @param exposedName      the name a model would see and call ({@code <server>__<tool>})
 * @param inputSchemaJson  the server's JSON Schema for its arguments, as JSON text
 * @param allowed          the registration's {@code allowed_tools} names it (or is {@code ["*"]})
 * @param offered          runs can use it: allowed, and its exposed name is a valid tool name
 *                         ({@code ^[a-zA-Z0-9_-]{1,64}$})
 */
public record McpServerToolView(
        String name,
        String exposedName,
        String description,
        String inputSchemaJson,
        boolean allowed,
        boolean requiresApproval,
        long pricePerCall,
        boolean offered) {}
