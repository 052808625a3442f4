package dev.eryao.services;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A tool a run declares for its client to perform (OpenAI's function tools): the model is offered
 * it beside the registered tools, and a call of it parks the run as {@code requires_action} until
 * the owner posts the call's output.
 *
 * @param name        what the model calls: letters, digits, {@code _} and {@code -}, at most 64,
 *                    never {@code __} (which names a registered server's tool)
 * @param description what the model reads of it
 * @param parameters  its arguments' JSON Schema, an object schema ({@code {"type": "object"}} when omitted)
 */
public record ClientTool(
        String name, @Nullable String description, @Nullable Map<String, Object> parameters) {}
