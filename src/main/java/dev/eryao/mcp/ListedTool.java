package dev.eryao.mcp;

/**
 * A tool as its server's {@code tools/list} gave it.
 *
 * @param description     the server's description, or empty when it gave none
 * @param inputSchemaJson the server's JSON Schema for the arguments, as JSON text
 */
public record ListedTool(String name, String description, String inputSchemaJson) {}
