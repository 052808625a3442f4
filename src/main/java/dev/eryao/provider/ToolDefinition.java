package dev.eryao.provider;

/**
 * A tool offered to a model, sent in the request's {@code tools} as OpenAI's chat-completions
 * format has it: {@code {"type": "function", "function": {name, description, parameters}}}.
 *
 * @param parametersJson the tool's JSON Schema for its arguments (an object schema), as JSON text
 */
public record ToolDefinition(String name, String description, String parametersJson) {}
