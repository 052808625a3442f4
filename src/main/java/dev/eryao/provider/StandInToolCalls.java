package dev.eryao.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the {@link StandInModel} uses tools, deterministically, so that a walkthrough and tests can
 * show a run that calls one: when the request offers tools and its last message is the user's,
 * every {@code call <tool> <JSON object>} in that message whose tool is offered becomes a tool
 * call, in order (for example {@code call demo__echo {"text": "hi"}}); when its last messages are
 * tool results, the answer quotes them: {@code (stand-in) The tools answered: demo__echo: hi}.
 */
final class StandInToolCalls {
    private static final Pattern CALL = Pattern.compile("\\bcall\\s+([a-zA-Z0-9_-]{1,64})\\s*(?=\\{)");

    private final ObjectMapper json;

    StandInToolCalls(ObjectMapper json) {
        this.json = json;
    }

    /** The calls the last message asks for among the offered tools; empty when none (or none offered). */
    List<ToolCall> asked(JsonNode request) {
        JsonNode messages = request.path("messages");
        Set<String> offered = new HashSet<>();
        for (JsonNode tool : request.path("tools")) {
            offered.add(tool.path("function").path("name").asText());
        }
        if (offered.isEmpty() || !messages.isArray() || messages.isEmpty()) {
            return List.of();
        }
        JsonNode last = messages.get(messages.size() - 1);
        if (!"user".equals(last.path("role").asText())) {
            return List.of();
        }
        String text = last.path("content").asText("");
        List<ToolCall> calls = new ArrayList<>();
        Matcher matcher = CALL.matcher(text);
        while (matcher.find()) {
            String arguments = objectAt(text, matcher.end());
            if (arguments != null && offered.contains(matcher.group(1))) {
                // Unique within a conversation: the count of messages grows with every step.
                String id = "call_" + messages.size() + "_" + calls.size();
                calls.add(new ToolCall(id, matcher.group(1), arguments));
            }
        }
        return List.copyOf(calls);
    }

    /** The JSON object that starts at {@code from}, as compact JSON, or null when there is none. */
    private String objectAt(String text, int from) {
        try (JsonParser parser = json.createParser(text.substring(from))) {
            JsonNode value = json.readTree(parser);
            return value != null && value.isObject() ? value.toString() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The answer to tool results that end the conversation, quoting each; null when it does not end with one. */
    String quoted(JsonNode request) {
        JsonNode messages = request.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            return null;
        }
        int first = messages.size();
        while (first > 0 && "tool".equals(messages.get(first - 1).path("role").asText())) {
            first--;
        }
        if (first == messages.size()) {
            return null;
        }
        Map<String, String> names = new HashMap<>();
        if (first > 0) {
            for (JsonNode call : messages.get(first - 1).path("tool_calls")) {
                names.put(
                        call.path("id").asText(),
                        call.path("function").path("name").asText());
            }
        }
        List<String> results = new ArrayList<>();
        for (int i = first; i < messages.size(); i++) {
            JsonNode result = messages.get(i);
            String name = names.getOrDefault(result.path("tool_call_id").asText(), "a tool");
            results.add(name + ": " + result.path("content").asText(""));
        }
        return "(stand-in) The tools answered: " + String.join("; ", results);
    }

    /** A call's arguments in the pieces they are streamed in: a provider's are fragments of a few characters. */
    static List<String> fragments(String arguments) {
        List<String> pieces = new ArrayList<>();
        for (int at = 0; at < arguments.length(); at += 8) {
            pieces.add(arguments.substring(at, Math.min(arguments.length(), at + 8)));
        }
        return pieces;
    }
}
