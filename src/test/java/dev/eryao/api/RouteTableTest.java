package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The route table applies each route's declaration to its handler: the declared body reaches the
 * handler typed, the declared status is set, a required Idempotency-Key is enforced before the body
 * is read, and an answer or a read the route does not declare is a 500, never sent. A real Javalin
 * on a free port, with the API's own problem mapping, and routes made for the test.
 */
class RouteTableTest {
    record Thing(String name) {}

    private final ObjectMapper mapper = JsonBodies.strictMapper();
    private final RouteTable table = new RouteTable(new JsonBodies(mapper));
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> keysSeen = new ArrayList<>();
    private Javalin javalin;

    @BeforeEach
    void start() {
        // Answers 201 with the body it read, or the status named in X-Answer: 202 is declared, others are not.
        table.add(
                Route.of(HandlerType.POST, "/things", ApiRole.ANYONE, "test")
                        .body(Thing.class)
                        .status(201)
                        .alsoAnswers(202, "accepted")
                        .returns(Thing.class),
                call -> call.header("X-Answer") == null
                        ? call.body()
                        : call.answer(Integer.parseInt(call.header("X-Answer")), call.body()));
        table.add(
                Route.of(HandlerType.POST, "/grants", ApiRole.ANYONE, "test")
                        .body(Thing.class)
                        .status(201)
                        .returns(Thing.class)
                        .requiresIdempotencyKey("a test says so"),
                call -> {
                    keysSeen.add(call.idempotencyKey());
                    return call.body();
                });
        table.add(
                Route.of(HandlerType.GET, "/things/{id}", ApiRole.ANYONE, "test")
                        .returns(Thing.class),
                call -> switch (call.header("X-Read")) {
                    case "id" -> new Thing(call.id("id").toString());
                    case "body" -> call.body();
                    case "other-id" -> call.id("other");
                    default -> "a string where a Thing is declared";
                });
        table.add(Route.of(HandlerType.GET, "/stream", ApiRole.ANYONE, "test").returnsEvents(), call -> {
            call.context().status(Integer.parseInt(call.header("X-Answer"))).result("streamed");
            return null;
        });
        javalin = Javalin.create(config -> {
                    config.startup.showJavalinBanner = false;
                    config.jsonMapper(new JavalinJackson(mapper, true));
                    new ProblemMapper(mapper).register(config.routes);
                    table.registerAll(config.routes);
                })
                .start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        javalin.stop();
    }

    @Test
    void theDeclaredBodyReachesTheHandlerTypedAndTheDeclaredStatusIsSet() throws Exception {
        HttpResponse<String> created = post("/things", "{\"name\":\"kept\"}", null);

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(mapper.readValue(created.body(), Thing.class)).isEqualTo(new Thing("kept"));
        assertThat(post("/things", "{\"colour\":\"red\"}", null).statusCode())
                .as("a body of another type")
                .isEqualTo(400);
    }

    @Test
    void aHandlerMayChooseADeclaredStatusButNotAnUndeclaredOne() throws Exception {
        assertThat(post("/things", "{\"name\":\"a\"}", "202").statusCode()).isEqualTo(202);

        for (String undeclared : new String[] {"200", "204", "418"}) {
            HttpResponse<String> refused = post("/things", "{\"name\":\"a\"}", undeclared);
            assertThat(refused.statusCode()).as(undeclared).isEqualTo(500);
            assertThat(refused.body()).as(undeclared).doesNotContain("\"a\"");
        }
    }

    @Test
    void aStreamThatLeavesAnUndeclaredStatusIsRefused() throws Exception {
        assertThat(get("/stream", "X-Answer", "200").body()).isEqualTo("streamed");

        HttpResponse<String> refused = get("/stream", "X-Answer", "418");
        assertThat(refused.statusCode()).isEqualTo(500);
        assertThat(refused.body()).doesNotContain("streamed");
    }

    @Test
    void aRequiredIdempotencyKeyIsEnforcedBeforeTheBodyIsRead() throws Exception {
        HttpResponse<String> withoutKey = post("/grants", "{\"name\":", null);
        assertThat(withoutKey.statusCode()).isEqualTo(428);
        assertThat(withoutKey.body()).contains("Idempotency-Key").contains("a test says so");

        HttpResponse<String> withKey = send(HttpRequest.newBuilder(uri("/grants"))
                .header("Idempotency-Key", "k-1")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"g\"}")));
        assertThat(withKey.statusCode()).isEqualTo(201);
        assertThat(keysSeen).containsExactly("k-1");
    }

    @Test
    void aHandlerReadingOrReturningWhatItsRouteDoesNotDeclareIsRefused() throws Exception {
        String id = UUID.randomUUID().toString();
        assertThat(get("/things/" + id, "X-Read", "id").body()).contains(id);
        assertThat(get("/things/not-a-uuid", "X-Read", "id").statusCode())
                .as("path ids are read as UUIDs")
                .isEqualTo(400);

        for (String read : new String[] {"body", "other-id", "a string"}) {
            assertThat(get("/things/" + id, "X-Read", read).statusCode())
                    .as(read)
                    .isEqualTo(500);
        }
    }

    private HttpResponse<String> post(String path, String body, String answer)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (answer != null) {
            request.header("X-Answer", answer);
        }
        return send(request);
    }

    private HttpResponse<String> get(String path, String header, String value)
            throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header(header, value).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + javalin.port() + path);
    }
}
