package dev.eryao.services;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.services.tools.ToolArguments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The client's own tools a run declares ({@code "client_tools"}), checked at enqueue and stored with
 * the run as a JSON list; the worker offers them to the model and parks the run on a call of one.
 */
public final class ClientTools {
    /** As many as a model is usefully offered beside the registered ones. */
    static final int MOST_TOOLS = 32;
    /** A description long enough to explain a tool, short enough not to be a prompt of its own. */
    static final int LONGEST_DESCRIPTION = 2_000;
    /** OpenAI's rule for a function's name; no two underscores, which name a registered server's tool. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<ClientTool> tools;

    private ClientTools(List<ClientTool> tools) {
        this.tools = List.copyOf(tools);
    }

    public static ClientTools none() {
        return new ClientTools(List.of());
    }

    /** The tools a run asks for, checked: a 422 names the first problem; none for null. */
    static ClientTools checked(List<ClientTool> declared) {
        if (declared == null || declared.isEmpty()) {
            return none();
        }
        if (declared.size() > MOST_TOOLS) {
            throw InvalidInputException.field("client_tools", "declares more than " + MOST_TOOLS + " tools");
        }
        Set<String> names = new HashSet<>();
        List<ClientTool> checked = new java.util.ArrayList<>();
        for (ClientTool tool : declared) {
            if (tool == null
                    || tool.name() == null
                    || !NAME.matcher(tool.name()).matches()) {
                throw InvalidInputException.field(
                        "client_tools", "holds a name that is not 1 to 64 letters, digits, '_' or '-'");
            }
            if (tool.name().contains("__")) {
                throw InvalidInputException.field(
                        "client_tools", "holds the name " + tool.name() + ": '__' names a registered server's tool");
            }
            if (!names.add(tool.name())) {
                throw InvalidInputException.field("client_tools", "names " + tool.name() + " twice");
            }
            String description = tool.description() == null ? "" : tool.description();
            if (description.length() > LONGEST_DESCRIPTION) {
                throw InvalidInputException.field(
                        "client_tools",
                        "holds a description of " + tool.name() + " longer than " + LONGEST_DESCRIPTION
                                + " characters");
            }
            Map<String, Object> parameters =
                    tool.parameters() == null ? Map.of("type", "object") : new LinkedHashMap<>(tool.parameters());
            if (!"object".equals(parameters.get("type"))) {
                throw InvalidInputException.field(
                        "client_tools",
                        "holds parameters of " + tool.name() + " that are not an object schema"
                                + " ({\"type\": \"object\", ...})");
            }
            String schema = write(parameters);
            // A schema the validator cannot use would turn every call into an error result: say so now.
            String unusable = ToolArguments.problem(schema, "{}");
            if (unusable != null && unusable.startsWith("the tool's input schema cannot be used")) {
                throw InvalidInputException.field(
                        "client_tools", "holds parameters of " + tool.name() + " that are not a usable JSON Schema");
            }
            checked.add(new ClientTool(tool.name(), description, parameters));
        }
        return new ClientTools(checked);
    }

    /** As stored with the run: a JSON list, null for none. */
    String json() {
        return tools.isEmpty() ? null : write(tools);
    }

    /** As stored (null: none). */
    public static ClientTools parse(String json) {
        if (json == null || json.isEmpty()) {
            return none();
        }
        try {
            return new ClientTools(JSON.readValue(json, new TypeReference<List<ClientTool>>() {}));
        } catch (IOException e) {
            throw new UncheckedIOException("a run's stored client tools cannot be read", e);
        }
    }

    public List<ClientTool> all() {
        return tools;
    }

    public Optional<ClientTool> named(String name) {
        return tools.stream().filter(tool -> tool.name().equals(name)).findFirst();
    }

    /** The tool's parameters as the JSON Schema text its arguments are checked against. */
    public static String schemaOf(ClientTool tool) {
        return write(tool.parameters());
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
