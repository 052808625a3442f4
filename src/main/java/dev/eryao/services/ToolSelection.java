package dev.eryao.services;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Which registered tools a run's model may call, as the run names them ({@code "tools": ["demo"]}:
 * a registered MCP server's name, for its allowed tools, or {@code <server>__<tool>}), stored with
 * the run as a JSON list and resolved through {@code RegisteredTools} at enqueue (an unknown name is
 * a 422) and again when the run is claimed.
 */
final class ToolSelection {
    /** The most names one run may give: far more than a model is usefully offered. */
    static final int MOST_NAMES = 100;
    /** The longest name: a server's name, two underscores and a tool's. */
    static final int LONGEST_NAME = 200;

    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolSelection() {}

    /** The names, checked for size (what they name is RegisteredTools' to say); empty for none. */
    static List<String> checked(List<String> names) {
        if (names == null) {
            return List.of();
        }
        if (names.size() > MOST_NAMES) {
            throw InvalidInputException.field("tools", "names more than " + MOST_NAMES + " tools or servers");
        }
        for (String name : names) {
            if (name == null || name.isBlank() || name.length() > LONGEST_NAME) {
                throw InvalidInputException.field(
                        "tools", "holds a name that is empty or longer than " + LONGEST_NAME + " characters");
            }
        }
        return List.copyOf(names);
    }

    /** As stored: null for none. */
    static String json(List<String> names) {
        if (names.isEmpty()) {
            return null;
        }
        try {
            return JSON.writeValueAsString(names);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> parse(String json) {
        if (json == null || json.isEmpty()) {
            return List.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException("a run's stored tool selection cannot be read", e);
        }
    }
}
