package dev.eryao.api;

import dev.eryao.api.JsonSchemas.Direction;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The OpenAPI 3.1 document, generated from the {@link RouteTable} (the javalin-openapi plugin has
 * no release for Javalin 7): every served route appears, with its role as its security requirement
 * (an empty one where no token is needed), its path, query and header parameters, schemas of its
 * bodies, every status it answers — its own ({@link RouteTable} holds the handler to them) and every
 * problem it may answer ({@link RouteProblems}), each as {@code application/problem+json} — and the
 * media type each answer really has. The test suite checks every answer it receives against it.
 */
final class OpenApi {
    static final String VERSION = "3.1.0";
    private static final String PROBLEM_REF = "#/components/schemas/Problem";
    private static final String REQUEST_ID_REF = "#/components/headers/X-Request-Id";
    /** What each tag of the route classes groups. */
    private static final Map<String, String> TAGS = Map.of(
            "sessions", "Your chat sessions and their messages",
            "runs", "Agent runs: queued, followed as server-sent events, stopped",
            "catalog", "The active LLM catalog",
            "points", "Your points balance and ledger",
            "admin", "Grants and catalog changes (service_role only)",
            "operations", "Health, readiness, metrics and this document (no token)");

    private OpenApi() {}

    static Map<String, Object> document(List<Route<?>> routes, String version) {
        JsonSchemas schemas = new JsonSchemas();
        Map<String, Object> paths = new LinkedHashMap<>();
        Set<String> tags = new LinkedHashSet<>();
        for (Route<?> route : routes) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item =
                    (Map<String, Object>) paths.computeIfAbsent(route.path, p -> new LinkedHashMap<>());
            item.put(route.method.name().toLowerCase(Locale.ROOT), operation(route, schemas));
            tags.add(route.tag);
        }
        schemas.of(Problem.class, Direction.RESPONSE);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", VERSION);
        doc.put(
                "info",
                Map.of(
                        "title",
                        "ERYAO API",
                        "version",
                        version,
                        "description",
                        "AI agent chat sessions, the LLM catalog, points and agent runs. Authenticate with a Supabase "
                                + "access token: Authorization: Bearer <token>. Errors are RFC 9457 problem+json."));
        // Relative: the server that serves this document (Swagger UI and clients resolve it against it).
        doc.put("servers", List.of(Map.of("url", "/", "description", "this server")));
        doc.put(
                "tags",
                tags.stream()
                        .map(tag -> TAGS.containsKey(tag)
                                ? Map.<String, Object>of("name", tag, "description", TAGS.get(tag))
                                : Map.<String, Object>of("name", tag))
                        .toList());
        doc.put("paths", paths);
        doc.put(
                "components",
                Map.of(
                        "schemas",
                        schemas.components(),
                        "headers",
                        Map.of(
                                RequestIds.HEADER,
                                Map.of(
                                        "description",
                                        "this request's id, also in the server's log lines (and a problem's request_id)",
                                        "schema",
                                        Map.of("type", "string"))),
                        "securitySchemes",
                        Map.of(
                                "bearer",
                                Map.of(
                                        "type",
                                        "http",
                                        "scheme",
                                        "bearer",
                                        "bearerFormat",
                                        "JWT",
                                        "description",
                                        "a Supabase access token (a service_role token for the admin routes)"))));
        return doc;
    }

    private static Map<String, Object> operation(Route<?> route, JsonSchemas schemas) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("tags", List.of(route.tag));
        op.put("summary", route.summary);
        op.put("description", route.summary);
        op.put(
                "operationId",
                route.method.name().toLowerCase(Locale.ROOT) + route.path.replaceAll("[^A-Za-z0-9]+", "_"));
        List<Map<String, Object>> parameters = RouteParameters.of(route);
        if (!parameters.isEmpty()) {
            op.put("parameters", parameters);
        }
        if (route.requestBody != null) {
            op.put(
                    "requestBody",
                    Map.of(
                            "required",
                            true,
                            "content",
                            Map.of(
                                    "application/json",
                                    Map.of("schema", schemas.of(route.requestBody, Direction.REQUEST)))));
        }
        op.put("security", route.role == ApiRole.ANYONE ? List.of() : List.of(Map.of("bearer", List.of())));
        Map<String, Map<String, Object>> responses = new LinkedHashMap<>();
        responses.put(
                String.valueOf(route.status),
                answer(route, schemas, route.shape == Route.Shape.NONE ? "done" : "success"));
        route.otherStatuses.forEach(
                (status, when) -> responses.put(String.valueOf(status), answer(route, schemas, when)));
        RouteProblems.of(route).forEach((status, when) -> addProblem(responses, status, when));
        op.put("responses", responses);
        return op;
    }

    /** An answer the handler gives: its body's schema in its media type, and the headers it carries. */
    private static Map<String, Object> answer(Route<?> route, JsonSchemas schemas, String description) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("description", description);
        Map<String, Object> headers = requestIdHeader();
        route.responseHeaders.forEach((name, value) ->
                headers.put(name, Map.of("required", true, "schema", Map.of("type", "string", "const", value))));
        answer.put("headers", headers);
        Map<String, Object> body = body(route, schemas);
        if (body != null) {
            Map<String, Object> content = new LinkedHashMap<>();
            content.put(mediaType(route), Map.of("schema", body));
            answer.put("content", content);
        }
        return answer;
    }

    /**
     * A problem the route may answer. A status the handler also answers itself (a 503 report, say)
     * gets the problem's media type beside its own.
     */
    @SuppressWarnings("unchecked")
    private static void addProblem(Map<String, Map<String, Object>> responses, int status, String when) {
        Map<String, Object> problem = Map.of("schema", Map.of("$ref", PROBLEM_REF));
        Map<String, Object> existing = responses.get(String.valueOf(status));
        if (existing != null) {
            existing.put("description", existing.get("description") + "; or a problem: " + when);
            ((Map<String, Object>) existing.computeIfAbsent("content", c -> new LinkedHashMap<>()))
                    .put(Problem.CONTENT_TYPE, problem);
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("description", when);
        Map<String, Object> headers = requestIdHeader();
        switch (status) {
            case 401 ->
                headers.put(
                        "WWW-Authenticate",
                        Map.of("required", true, "schema", Map.of("type", "string", "const", "Bearer")));
            case 429 ->
                headers.put(
                        "Retry-After",
                        Map.of(
                                "required",
                                true,
                                "description",
                                "seconds to wait before trying again",
                                "schema",
                                Map.of("type", "string", "pattern", "^[0-9]+$")));
            case 503 ->
                headers.put(
                        "Retry-After",
                        Map.of(
                                "description",
                                "seconds to wait before retrying (sent when the database is unavailable)",
                                "schema",
                                Map.of("type", "string", "pattern", "^[0-9]+$")));
            default -> {}
        }
        answer.put("headers", headers);
        Map<String, Object> content = new LinkedHashMap<>();
        content.put(Problem.CONTENT_TYPE, problem);
        answer.put("content", content);
        responses.put(String.valueOf(status), answer);
    }

    private static Map<String, Object> requestIdHeader() {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(RequestIds.HEADER, Map.of("$ref", REQUEST_ID_REF));
        return headers;
    }

    private static Map<String, Object> body(Route<?> route, JsonSchemas schemas) {
        return switch (route.shape) {
            case NONE -> null;
            case TEXT -> Map.of("type", mediaType(route).equals("application/json") ? "object" : "string");
            case EVENTS ->
                Map.of("type", "string", "description", "server-sent events (event, id and data lines; data is JSON)");
            case ONE -> schemas.of(route.response, Direction.RESPONSE);
            case LIST ->
                Map.of(
                        "type",
                        "object",
                        "properties",
                        Map.of(
                                "items",
                                Map.of("type", "array", "items", schemas.of(route.response, Direction.RESPONSE))),
                        "required",
                        List.of("items"),
                        "additionalProperties",
                        false);
            case PAGE ->
                Map.of(
                        "type",
                        "object",
                        "properties",
                        Map.of(
                                "items",
                                Map.of("type", "array", "items", schemas.of(route.response, Direction.RESPONSE)),
                                "next_cursor",
                                Map.of(
                                        "type",
                                        List.of("string", "null"),
                                        "description",
                                        "pass it back as ?cursor= for the next page; null on the last page")),
                        "required",
                        List.of("items", "next_cursor"),
                        "additionalProperties",
                        false);
        };
    }

    /** The media type without its parameters ({@code text/plain; version=0.0.4} is {@code text/plain}). */
    private static String mediaType(Route<?> route) {
        return switch (route.shape) {
            case TEXT -> route.mediaType.split(";", 2)[0].strip();
            case EVENTS -> "text/event-stream";
            default -> "application/json";
        };
    }
}
