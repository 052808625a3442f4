package dev.eryao.services.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.util.List;

/**
 * Checks a model's arguments for a tool against the tool's input schema before any call: what does
 * not pass is an error result the model sees ({@link #problem}), never a call. The schema is JSON
 * Schema 2020-12 (the MCP and OpenAI tools' dialect); a {@code $ref} it holds is resolved within
 * the schema only: nothing named by a tool's schema is ever fetched.
 */
public final class ToolArguments {
    /** The most schema errors named back to the model: enough to fix its call. */
    private static final int NAMED_ERRORS = 5;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
            Dialects.getDraft202012(), builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false)));

    private ToolArguments() {}

    /**
     * Why {@code argumentsJson} cannot be passed to a tool with {@code schemaJson}, or null when it
     * can: it must be a JSON object (empty text counts as {@code {}}, which some models send for a
     * tool without parameters) that the schema accepts.
     */
    public static String problem(String schemaJson, String argumentsJson) {
        JsonNode arguments;
        try {
            arguments = JSON.readTree(normalized(argumentsJson));
        } catch (IOException e) {
            return "the arguments are not JSON";
        }
        if (arguments == null || !arguments.isObject()) {
            return "the arguments are not a JSON object";
        }
        List<Error> errors;
        try {
            Schema schema = REGISTRY.getSchema(schemaJson, InputFormat.JSON);
            errors = schema.validate(arguments);
        } catch (RuntimeException e) {
            return "the tool's input schema cannot be used to check them ("
                    + e.getClass().getSimpleName() + ")";
        }
        if (errors.isEmpty()) {
            return null;
        }
        StringBuilder message = new StringBuilder("the arguments do not match the tool's input schema: ");
        for (int i = 0; i < Math.min(NAMED_ERRORS, errors.size()); i++) {
            if (i > 0) {
                message.append("; ");
            }
            Error error = errors.get(i);
            message.append(error.getInstanceLocation()).append(' ').append(error.getMessage());
        }
        if (errors.size() > NAMED_ERRORS) {
            message.append("; and ").append(errors.size() - NAMED_ERRORS).append(" more");
        }
        return message.toString();
    }

    /** The arguments as they are passed on: empty text as {@code {}}. */
    public static String normalized(String argumentsJson) {
        return argumentsJson == null || argumentsJson.isBlank() ? "{}" : argumentsJson;
    }
}
