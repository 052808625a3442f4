package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.api.JsonSchemas.Direction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document says what is served, precisely: nullability read from the records'
 * {@code @Nullable}, {@code required} on every object, problems declared per status, real media
 * types, {@code security} and {@code servers}. Made from the route declarations alone, as
 * {@code eryao openapi} makes it (the suite checks every real answer against the served one).
 */
class OpenApiDocumentTest {
    private static final JsonNode DOC = read(ApiServer.openApiDocument());

    private static JsonNode read(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode schema(String name) {
        return DOC.path("components").path("schemas").path(name);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }

    @Test
    void aFieldThatMayBeNullIsRequiredAndNullableAndTheOthersAreNeverNull() {
        JsonNode run = schema("RunView");
        // An answer is written whole: every field is there, null or not.
        assertThat(texts(run.path("required"))).containsExactlyElementsOf(iterable(run.path("properties")));
        for (String field : List.of("output", "error", "started_at", "finished_at", "input_tokens", "llm_id")) {
            assertThat(texts(run.at("/properties/" + field + "/type")))
                    .as(field)
                    .contains("null");
        }
        assertThat(run.at("/properties/task_id/type").asText()).isEqualTo("string");
        assertThat(run.at("/properties/attempts/type").asText()).isEqualTo("integer");
        assertThat(texts(schema("SessionView").at("/properties/llm_id/type"))).containsExactly("string", "null");
        assertThat(schema("SessionView").at("/properties/title/type").asText()).isEqualTo("string");
        assertThat(texts(schema("MessageView").at("/properties/token_count/type")))
                .containsExactly("integer", "null");
        assertThat(texts(schema("ModelView").at("/properties/context_tokens/type")))
                .containsExactly("integer", "null");
        assertThat(run.path("additionalProperties").asBoolean(true)).isFalse();
    }

    private static List<String> iterable(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void aRequestRequiresWhatItCannotDoWithoutAndTakesNullForTheRest() {
        assertThat(texts(schema("CreateSession").path("required"))).containsExactly("title");
        assertThat(texts(schema("CreateSession").at("/properties/llm_id/type"))).contains("null");
        assertThat(schema("UpdateSession").has("required")).isFalse();
        assertThat(texts(schema("Grant").path("required"))).containsExactly("owner_id", "amount", "reason");
    }

    @Test
    void aProblemLeavesOutWhatItDoesNotHaveRatherThanSendingNull() {
        JsonNode problem = schema("Problem");
        assertThat(texts(problem.path("required"))).containsExactly("type", "title", "status", "detail");
        assertThat(problem.at("/properties/errors/type").asText()).isEqualTo("object");
        assertThat(problem.at("/properties/request_id/type").asText()).isEqualTo("string");
    }

    /** A body whose every field may be left out (a regenerate's options) has none to require. */
    private static boolean everyPropertyMayBeNull(JsonNode schema) {
        for (JsonNode property : schema.path("properties")) {
            boolean nullable = false;
            for (JsonNode type : property.path("type")) {
                nullable |= type.asText().equals("null");
            }
            for (JsonNode option : property.path("oneOf")) {
                nullable |= option.path("type").asText().equals("null");
            }
            if (!nullable) {
                return false;
            }
        }
        return true;
    }

    @Test
    void everyObjectSchemaSaysWhichFieldsAreRequired() {
        List<String> without = new ArrayList<>();
        walk(DOC, "#", (pointer, node) -> {
            if ("object".equals(node.path("type").asText())
                    && node.has("properties")
                    && !node.path("properties").isEmpty()
                    && !node.has("required")
                    && !pointer.contains("Update")
                    && !pointer.contains("ModelChanges")
                    && !everyPropertyMayBeNull(node)) {
                without.add(pointer);
            }
        });
        assertThat(without).isEmpty();
    }

    @Test
    void everyOperationDeclaresItsSecurityAndEveryProblemItAnswers() {
        assertThat(DOC.at("/servers/0/url").asText()).isEqualTo("/");
        DOC.path("paths")
                .properties()
                .forEach(path -> path.getValue().properties().forEach(op -> {
                    String route = op.getKey() + " " + path.getKey();
                    JsonNode operation = op.getValue();
                    assertThat(operation.has("security")).as(route).isTrue();
                    JsonNode responses = operation.path("responses");
                    assertThat(responses.has("default")).as(route).isFalse();
                    assertThat(responses.has("500")).as(route).isTrue();
                    boolean signedIn = !operation.path("security").isEmpty();
                    if (signedIn) {
                        assertThat(responses.has("401") && responses.has("403") && responses.has("503"))
                                .as(route)
                                .isTrue();
                        assertThat(responses
                                        .at("/401/headers/WWW-Authenticate/schema/const")
                                        .asText())
                                .isEqualTo("Bearer");
                    }
                    if (path.getKey().contains("{")) {
                        assertThat(responses.has("404") && responses.has("400"))
                                .as(route)
                                .isTrue();
                    }
                    if (operation.has("requestBody")) {
                        assertThat(List.of("400", "413", "415", "422")).allMatch(responses::has);
                    }
                    responses.properties().forEach(response -> {
                        if (response.getKey().startsWith("4")) {
                            assertThat(response.getValue()
                                            .at("/content/application~1problem+json/schema/$ref")
                                            .asText())
                                    .as(route + " " + response.getKey())
                                    .isEqualTo("#/components/schemas/Problem");
                        }
                    });
                }));
        assertThat(DOC.at("/paths/~1healthz/get/security").isEmpty()).isTrue();
        assertThat(DOC.at("/paths/~1v1~1agent~1sessions~1{id}~1runs/post/responses")
                        .has("402"))
                .isTrue();
        assertThat(DOC.at("/paths/~1v1~1agent~1sessions~1{id}~1runs/post/responses/429/headers/Retry-After/required")
                        .asBoolean())
                .isTrue();
        assertThat(DOC.at("/paths/~1v1~1admin~1points~1grants/post/responses").has("428"))
                .isTrue();
    }

    @Test
    void eachAnswerHasTheMediaTypeItIsSentWith() {
        assertThat(DOC.at("/paths/~1openapi.json/get/responses/200/content").has("application/json"))
                .isTrue();
        assertThat(DOC.at("/paths/~1docs/get/responses/200/content").has("text/html"))
                .isTrue();
        assertThat(DOC.at("/paths/~1metrics/get/responses/200/content").has("text/plain"))
                .isTrue();
        JsonNode events = DOC.at("/paths/~1v1~1agent~1runs~1{task_id}~1events/get");
        assertThat(events.at("/responses/200/content").has("text/event-stream")).isTrue();
        assertThat(events.at("/responses").has("406")).isTrue();
        List<String> headers = new ArrayList<>();
        events.path("parameters").forEach(p -> {
            if (p.path("in").asText().equals("header")) {
                headers.add(p.path("name").asText() + (p.path("required").asBoolean() ? "!" : "?"));
            }
        });
        assertThat(headers).containsExactly("Accept!", "Last-Event-ID?");
    }

    record Both(String name) {}

    record WithNull(@Nullable String maybe, String always) {}

    @Test
    void aRecordIsEitherARequestOrAnAnswerNeverBoth() {
        JsonSchemas schemas = new JsonSchemas();
        schemas.of(Both.class, Direction.REQUEST);
        assertThatThrownBy(() -> schemas.of(Both.class, Direction.RESPONSE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Both");
    }

    @Test
    void aNullableComponentIsReadFromItsAnnotation() {
        JsonSchemas schemas = new JsonSchemas();
        schemas.of(WithNull.class, Direction.RESPONSE);
        @SuppressWarnings("unchecked")
        Map<String, Object> schema = (Map<String, Object>) schemas.components().get("WithNull");
        assertThat(schema.get("required")).isEqualTo(List.of("maybe", "always"));
        assertThat(schema.get("properties").toString()).contains("maybe={type=[string, null]}");
        assertThat(schema.get("properties").toString()).contains("always={type=string}");
    }

    private interface Visitor {
        void visit(String pointer, JsonNode node);
    }

    private static void walk(JsonNode node, String pointer, Visitor visitor) {
        visitor.visit(pointer, node);
        if (node.isObject()) {
            node.properties()
                    .forEach(e -> walk(e.getValue(), pointer + "/" + e.getKey().replace("/", "~1"), visitor));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), pointer + "/" + i, visitor);
            }
        }
    }
}
