package dev.eryao.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A route's parameters in the OpenAPI document: its path ids (UUIDs), its query parameters
 * ({@code limit} bounded, the others strings), its {@code Idempotency-Key} rule, and for a stream
 * of events the headers it reads ({@code Accept}, required, and {@code Last-Event-ID} to resume).
 */
final class RouteParameters {
    static final String LAST_EVENT_ID = "Last-Event-ID";

    private RouteParameters() {}

    static List<Map<String, Object>> of(Route<?> route) {
        List<Map<String, Object>> parameters = new ArrayList<>();
        for (String name : route.pathParams) {
            parameters.add(parameter(
                    name,
                    "path",
                    true,
                    Map.of("type", "string", "format", "uuid"),
                    "an id (canonical 8-4-4-4-12 hex)"));
        }
        for (String query : route.queryParams) {
            parameters.add(query(query, route.queryDescriptions.get(query)));
        }
        if (route.idempotencyKey) {
            boolean required = route.idempotencyKeyRequiredBecause != null;
            parameters.add(parameter(
                    Requests.IDEMPOTENCY_KEY,
                    "header",
                    required,
                    Map.of("type", "string", "minLength", 1, "maxLength", 200, "pattern", "^[\\x21-\\x7E]+$"),
                    (required
                                    ? "required (without it: 428 Precondition Required), because "
                                            + route.idempotencyKeyRequiredBecause + "; "
                                    : "a repeat with the same key and body returns the first answer; ")
                            + "compared exactly; 1 to 200 visible ASCII characters"));
        }
        if (route.shape == Route.Shape.EVENTS) {
            parameters.add(parameter(
                    "Accept",
                    "header",
                    true,
                    Map.of("type", "string", "pattern", "text/event-stream"),
                    "must accept text/event-stream (406 otherwise)"));
            parameters.add(parameter(
                    LAST_EVENT_ID,
                    "header",
                    false,
                    Map.of("type", "string"),
                    "the id of the last event received: the stream resumes after it"));
        }
        return parameters;
    }

    private static Map<String, Object> query(String name, String description) {
        return switch (name) {
            case "limit" ->
                parameter(
                        name,
                        "query",
                        false,
                        Map.of(
                                "type",
                                "integer",
                                "minimum",
                                1,
                                "maximum",
                                Requests.MAX_LIMIT,
                                "default",
                                Requests.DEFAULT_LIMIT),
                        "how many items a page holds");
            case "cursor" ->
                parameter(
                        name,
                        "query",
                        false,
                        Map.of("type", "string"),
                        "the next_cursor of the page before (none for the first page)");
            default -> parameter(name, "query", false, Map.of("type", "string"), description);
        };
    }

    private static Map<String, Object> parameter(
            String name, String in, boolean required, Map<String, Object> schema, String description) {
        Map<String, Object> parameter = new LinkedHashMap<>();
        parameter.put("name", name);
        parameter.put("in", in);
        parameter.put("required", required);
        parameter.put("schema", schema);
        if (description != null) {
            parameter.put("description", description);
        }
        return parameter;
    }
}
