package dev.eryao.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The OpenAPI 3.1 document, generated from the {@link RouteTable} (the javalin-openapi plugin has
 * no release for Javalin 7): every served route appears, with its role as its security
 * requirement, its path and query parameters, its {@code Idempotency-Key} rule, schemas of its
 * bodies, and every status it declares (which {@link RouteTable} holds its handler to).
 */
final class OpenApi {
    private OpenApi() {}

    static Map<String, Object> document(List<Route<?>> routes, String version) {
        JsonSchemas schemas = new JsonSchemas();
        Map<String, Object> paths = new LinkedHashMap<>();
        for (Route<?> route : routes) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item =
                    (Map<String, Object>) paths.computeIfAbsent(route.path, p -> new LinkedHashMap<>());
            item.put(route.method.name().toLowerCase(Locale.ROOT), operation(route, schemas));
        }
        Map<String, Object> problem = Map.of(
                "type",
                "object",
                "properties",
                Map.of(
                        "type",
                        Map.of("type", "string"),
                        "title",
                        Map.of("type", "string"),
                        "status",
                        Map.of("type", "integer"),
                        "detail",
                        Map.of("type", "string"),
                        "instance",
                        Map.of("type", "string"),
                        "request_id",
                        Map.of("type", "string"),
                        "errors",
                        Map.of("type", "object", "additionalProperties", Map.of("type", "string"))));
        Map<String, Object> componentSchemas = new LinkedHashMap<>(schemas.components());
        componentSchemas.put("Problem", problem);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.1.0");
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
        doc.put("paths", paths);
        doc.put(
                "components",
                Map.of(
                        "schemas",
                        componentSchemas,
                        "securitySchemes",
                        Map.of("bearer", Map.of("type", "http", "scheme", "bearer", "bearerFormat", "JWT"))));
        return doc;
    }

    private static Map<String, Object> operation(Route<?> route, JsonSchemas schemas) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("tags", List.of(route.tag));
        op.put("summary", route.summary);
        op.put(
                "operationId",
                route.method.name().toLowerCase(Locale.ROOT) + route.path.replaceAll("[^A-Za-z0-9]+", "_"));
        List<Map<String, Object>> parameters = new java.util.ArrayList<>();
        for (String name : route.pathParams) {
            parameters.add(Map.of(
                    "name",
                    name,
                    "in",
                    "path",
                    "required",
                    true,
                    "schema",
                    Map.of("type", "string", "format", "uuid")));
        }
        for (String query : route.queryParams) {
            parameters.add(Map.of(
                    "name",
                    query,
                    "in",
                    "query",
                    "required",
                    false,
                    "schema",
                    query.equals("limit")
                            ? Map.of(
                                    "type",
                                    "integer",
                                    "minimum",
                                    1,
                                    "maximum",
                                    Requests.MAX_LIMIT,
                                    "default",
                                    Requests.DEFAULT_LIMIT)
                            : Map.of("type", "string")));
        }
        if (route.idempotencyKey) {
            boolean required = route.idempotencyKeyRequiredBecause != null;
            parameters.add(Map.of(
                    "name",
                    Requests.IDEMPOTENCY_KEY,
                    "in",
                    "header",
                    "required",
                    required,
                    "schema",
                    Map.of("type", "string", "minLength", 1, "maxLength", 200, "pattern", "^[\\x21-\\x7E]+$"),
                    "description",
                    (required
                                    ? "required (without it: 428 Precondition Required), because "
                                            + route.idempotencyKeyRequiredBecause + "; "
                                    : "")
                            + "compared exactly; 1 to 200 visible ASCII characters"));
        }
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
                            Map.of("application/json", Map.of("schema", schemas.of(route.requestBody)))));
        }
        if (route.role != ApiRole.ANYONE) {
            op.put("security", List.of(Map.of("bearer", List.of())));
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        responses.put(
                String.valueOf(route.status),
                answer(route, schemas, route.shape == Route.Shape.NONE ? "done" : "success"));
        route.otherStatuses.forEach(
                (status, when) -> responses.put(String.valueOf(status), answer(route, schemas, when)));
        responses.put(
                "default",
                Map.of(
                        "description",
                        "a problem (RFC 9457)",
                        "content",
                        Map.of(
                                Problem.CONTENT_TYPE,
                                Map.of("schema", Map.of("$ref", "#/components/schemas/Problem")))));
        op.put("responses", responses);
        return op;
    }

    /** An answer the handler gives: its body's schema in its media type, and the headers it carries. */
    private static Map<String, Object> answer(Route<?> route, JsonSchemas schemas, String description) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("description", description);
        if (!route.responseHeaders.isEmpty()) {
            Map<String, Object> headers = new LinkedHashMap<>();
            route.responseHeaders.forEach(
                    (name, value) -> headers.put(name, Map.of("schema", Map.of("type", "string", "const", value))));
            answer.put("headers", headers);
        }
        Map<String, Object> body = body(route, schemas);
        if (body != null) {
            answer.put("content", Map.of(mediaType(route), Map.of("schema", body)));
        }
        return answer;
    }

    private static Map<String, Object> body(Route<?> route, JsonSchemas schemas) {
        return switch (route.shape) {
            case NONE -> null;
            case TEXT -> Map.of("type", mediaType(route).equals("application/json") ? "object" : "string");
            case EVENTS -> Map.of("type", "string");
            case ONE -> schemas.of(route.response);
            case LIST ->
                Map.of(
                        "type",
                        "object",
                        "properties",
                        Map.of("items", Map.of("type", "array", "items", schemas.of(route.response))));
            case PAGE ->
                Map.of(
                        "type",
                        "object",
                        "properties",
                        Map.of(
                                "items", Map.of("type", "array", "items", schemas.of(route.response)),
                                "next_cursor", Map.of("type", List.of("string", "null"))));
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
