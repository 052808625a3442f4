package dev.eryao.provider;

/**
 * A call a model asked for: {@code tool_calls[i]} of its answer, assembled from the stream's
 * fragments, and sent back in the assistant message the results follow.
 *
 * @param id            the model's id for the call, which the {@code tool} message with its result names
 * @param argumentsJson the arguments as the model wrote them: JSON text it means to be an object, not
 *                      yet checked (the tool loop validates it against the tool's schema)
 */
public record ToolCall(String id, String name, String argumentsJson) {}
