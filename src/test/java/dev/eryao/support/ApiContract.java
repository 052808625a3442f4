package dev.eryao.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The served OpenAPI document as a check on every answer the suite receives: for an exchange
 * (method, path, status, headers, body) it finds the operation, the response declared for the
 * status, the declared media type, and validates a JSON body against the response's schema with
 * networknt's JSON Schema validator (the OpenAPI 3.1 dialect: JSON Schema 2020-12, formats
 * asserted, so a {@code uuid} or a {@code date-time} is checked too). A stream
 * ({@code text/event-stream}) is checked for status and media type only; a text body of
 * another media type only for its media type.
 *
 * <p>What no operation matches (a path the API does not serve, a method it does not allow) must be
 * a problem (the document's {@code Problem} schema, status 4xx or 5xx), a static file (any media type
 * but JSON: the Swagger UI's assets), or an {@code OPTIONS} answered 204 with no body (a CORS
 * preflight, which OpenAPI has no operation for).
 */
public final class ApiContract {
    /** Where the document is registered for the validator's {@code $ref}s (never fetched). */
    private static final String DOCUMENT_URI = "https://eryao.invalid/openapi.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request and its answer, as a client received it; {@code body} null when it was not read (a stream). */
    public record Exchange(String method, String path, int status, Map<String, List<String>> headers, String body) {
        String contentType() {
            return header("Content-Type").orElse("");
        }

        Optional<String> header(String name) {
            return headers.entrySet().stream()
                    .filter(e ->
                            e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                    .map(e -> e.getValue().getFirst())
                    .findFirst();
        }
    }

    private record Template(String path, Pattern pattern, int params) {}

    private final JsonNode document;
    private final SchemaRegistry registry;
    private final List<Template> templates = new ArrayList<>();
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private ApiContract(String documentJson) {
        try {
            this.document = JSON.readTree(documentJson);
        } catch (IOException e) {
            throw new UncheckedIOException("the OpenAPI document is not JSON", e);
        }
        SchemaRegistryConfig config =
                SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build();
        this.registry = SchemaRegistry.withDefaultDialect(
                Dialects.getOpenApi31(),
                builder -> builder.schemaRegistryConfig(config).schemas(Map.of(DOCUMENT_URI, documentJson)));
        for (Iterator<String> names = document.path("paths").fieldNames(); names.hasNext(); ) {
            String path = names.next();
            String regex = Pattern.quote(path).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q");
            templates.add(new Template(path, Pattern.compile(regex), path.split("\\{", -1).length - 1));
        }
        // A literal segment wins over a parameter (as the router matches them).
        templates.sort(Comparator.comparingInt(Template::params));
    }

    public static ApiContract of(String documentJson) {
        return new ApiContract(documentJson);
    }

    private static ApiContract built;

    /**
     * The document this build serves, made from the route declarations ({@code eryao openapi}), for
     * clients of a {@link ServeProcess} or of a stream, which run the same code as {@link TestApi}.
     */
    public static synchronized ApiContract ofThisBuild() {
        if (built == null) {
            built = of(dev.eryao.api.ApiServer.openApiDocument());
        }
        return built;
    }

    /** Fails, naming the route, the status and every violation, unless the exchange keeps the contract. */
    public void check(Exchange exchange) {
        List<String> violations = violations(exchange);
        if (!violations.isEmpty()) {
            String body = exchange.body() == null ? "" : exchange.body();
            throw new AssertionError("the answer to " + exchange.method() + " " + exchange.path() + " breaks the"
                    + " OpenAPI document (" + exchange.status() + " " + exchange.contentType() + "):\n  - "
                    + String.join("\n  - ", violations) + "\n  body: "
                    + (body.length() > 600 ? body.substring(0, 600) + "…" : body));
        }
    }

    /** What is wrong with the exchange against the document; empty when nothing is. */
    public List<String> violations(Exchange exchange) {
        String path = exchange.path().split("\\?", 2)[0];
        String method = exchange.method().toLowerCase(Locale.ROOT);
        Optional<Template> template = templates.stream()
                .filter(t -> t.pattern().matcher(path).matches())
                .filter(t -> document.path("paths").path(t.path()).has(operationMethod(method)))
                .findFirst();
        if (template.isEmpty()) {
            return unmatched(exchange);
        }
        String route = exchange.method() + " " + template.get().path();
        JsonNode operation = document.path("paths").path(template.get().path()).path(operationMethod(method));
        String status = String.valueOf(exchange.status());
        JsonNode responses = operation.path("responses");
        String declared = responses.has(status) ? status : responses.has("default") ? "default" : null;
        if (declared == null) {
            List<String> statuses = new ArrayList<>();
            responses.fieldNames().forEachRemaining(statuses::add);
            return List.of(route + " does not declare status " + status + " (it declares " + statuses + ")");
        }
        String pointer =
                "/paths/" + escape(template.get().path()) + "/" + operationMethod(method) + "/responses/" + declared;
        List<String> violations = new ArrayList<>(headers(route, status, responses.path(declared), exchange));
        violations.addAll(content(route, status, pointer, responses.path(declared), exchange));
        return violations;
    }

    /** HEAD is answered as the GET it stands for, without a body. */
    private static String operationMethod(String method) {
        return method.equals("head") ? "get" : method;
    }

    private List<String> headers(String route, String status, JsonNode response, Exchange exchange) {
        List<String> violations = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = response.path("headers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> header = it.next();
            Optional<String> value = exchange.header(header.getKey());
            if (value.isEmpty()) {
                if (header.getValue().path("required").asBoolean(false)) {
                    violations.add(route + " " + status + " lacks its required header " + header.getKey());
                }
                continue;
            }
            JsonNode schema = header.getValue().path("schema");
            if (schema.has("const") && !schema.path("const").asText().equals(value.get())) {
                violations.add(route + " " + status + " header " + header.getKey() + " is '" + value.get()
                        + "', declared '" + schema.path("const").asText() + "'");
            }
        }
        return violations;
    }

    private List<String> content(String route, String status, String pointer, JsonNode response, Exchange exchange) {
        JsonNode content = response.path("content");
        boolean hasBody = exchange.body() != null && !exchange.body().isEmpty();
        if (content.isMissingNode() || content.isEmpty()) {
            return hasBody ? List.of(route + " " + status + " declares no body, and one was sent") : List.of();
        }
        if (exchange.method().equalsIgnoreCase("HEAD")) {
            return List.of();
        }
        String mediaType = exchange.contentType().split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!content.has(mediaType)) {
            List<String> types = new ArrayList<>();
            content.fieldNames().forEachRemaining(types::add);
            return List.of(route + " " + status + " was sent as '" + exchange.contentType() + "', declared " + types);
        }
        if (!isJson(mediaType) || exchange.body() == null) {
            // A stream, a page, metrics (their media type is what can be checked), or a body the
            // client has not read (a stream's).
            return List.of();
        }
        String schemaPointer = pointer + "/content/" + escape(mediaType) + "/schema";
        return validate(route + " " + status, schemaPointer, exchange.body());
    }

    private List<String> unmatched(Exchange exchange) {
        String mediaType = exchange.contentType().split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        boolean hasBody = exchange.body() != null && !exchange.body().isEmpty();
        String what = exchange.method() + " " + exchange.path() + " (no operation of the document)";
        if (exchange.method().equalsIgnoreCase("OPTIONS") && exchange.status() == 204 && !hasBody) {
            return List.of(); // a CORS preflight
        }
        if (exchange.status() < 400) {
            return isJson(mediaType) || mediaType.isEmpty() && hasBody
                    ? List.of(what + " answered " + exchange.status() + " with JSON: an API answer the document"
                            + " does not describe")
                    : List.of(); // a static file
        }
        if (!mediaType.equals("application/problem+json")) {
            return List.of(what + " answered " + exchange.status() + " as '" + exchange.contentType()
                    + "', not a problem (application/problem+json)");
        }
        return exchange.body() == null || exchange.method().equalsIgnoreCase("HEAD")
                ? List.of()
                : validate(what + " " + exchange.status(), "/components/schemas/Problem", exchange.body());
    }

    private List<String> validate(String where, String pointer, String body) {
        Schema schema = schemas.computeIfAbsent(
                pointer, p -> registry.getSchema(SchemaLocation.of(DOCUMENT_URI + "#" + fragment(p))));
        List<Error> errors;
        try {
            errors = schema.validate(body == null ? "" : body, InputFormat.JSON);
        } catch (RuntimeException e) {
            return List.of(where + ": the body is not JSON (" + e.getClass().getSimpleName() + ")");
        }
        return errors.stream()
                .map(error -> where + ": " + error.getInstanceLocation() + " " + error.getMessage() + " (schema "
                        + error.getEvaluationPath() + ")")
                .toList();
    }

    private static boolean isJson(String mediaType) {
        return mediaType.equals("application/json") || mediaType.endsWith("+json");
    }

    /** A JSON Pointer token ({@code /} as {@code ~1}). */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    /** A JSON Pointer as a URI fragment: the braces of a path template percent-encoded. */
    private static String fragment(String pointer) {
        StringBuilder out = new StringBuilder();
        for (char c : pointer.toCharArray()) {
            out.append(
                    Character.isLetterOrDigit(c) || "/~-_.".indexOf(c) >= 0
                            ? String.valueOf(c)
                            : URLEncoder.encode(String.valueOf(c), StandardCharsets.UTF_8));
        }
        return out.toString();
    }
}
