package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import dev.eryao.api.ApiServer;
import dev.eryao.core.auth.JwtVerifier;
import dev.eryao.core.config.AuthSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.core.config.ServerSettings;
import dev.eryao.support.TestKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Over real HTTP: a run accepted with 202 is worked off, and its events stream follows it to the end. */
class RunEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RunFixture fixture = new RunFixture();
    private final HttpClient http = HttpClient.newHttpClient();
    private ApiServer api;

    @BeforeEach
    void apiOverTheFixture() {
        AuthSettings auth = new AuthSettings(null, Secret.of(TestKeys.HS256_SECRET), TestKeys.ISSUER);
        api = fixture.app.api(new ServerSettings("127.0.0.1", 0, 64 * 1024), JwtVerifier.from(auth, Clock.systemUTC()))
                .start();
    }

    @AfterEach
    void close() {
        api.close();
        http.close();
        fixture.close();
    }

    private String token(UUID sub) {
        return TestKeys.sign(new JWSHeader.Builder(JWSAlgorithm.HS256).build(), TestKeys.claims(sub, "authenticated").build(),
                TestKeys.mac(TestKeys.HS256_SECRET.getBytes(StandardCharsets.UTF_8)));
    }

    private HttpRequest.Builder request(String path, UUID owner) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token(owner));
    }

    @Test
    void theEventsOfARunFollowItFromQueuedToSucceededThenTheStreamEnds() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        HttpResponse<String> accepted = http.send(request("/v1/agent/sessions/" + owner.sessionId() + "/runs", owner.user().id())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"hello\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String taskId = JSON.readTree(accepted.body()).path("task_id").asText();

        CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> stream = http.sendAsync(
                request("/v1/agent/runs/" + taskId + "/events", owner.user().id())
                        .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofLines());
        HttpResponse<java.util.stream.Stream<String>> events = stream.get(10, TimeUnit.SECONDS);
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(events.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> events.body().toList());

        try (Worker worker = fixture.worker(1, 3)) {
            worker.runOnce();
        }

        List<JsonNode> statuses = lines.get(30, TimeUnit.SECONDS).stream().filter(line -> line.startsWith("data:"))
                .map(line -> read(line.substring("data:".length()).strip())).toList();
        assertThat(statuses.getFirst().path("status").asText()).isIn("queued", "running");
        assertThat(statuses.getLast().path("status").asText()).isEqualTo("succeeded");
        assertThat(statuses.getLast().path("output").asText()).isEqualTo("Hello from the fake model.");
        assertThat(statuses.getLast().path("charged_points").asLong()).isEqualTo(3);
    }

    @Test
    void anotherOwnersRunHasNoEventsJustA404() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        UUID taskId = fixture.enqueue(owner, "hello").taskId();

        HttpResponse<String> foreign = http.send(request("/v1/agent/runs/" + taskId + "/events", UUID.randomUUID()).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(foreign.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    void askingForTheStreamWithoutAcceptingEventsIsA406Problem() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        UUID taskId = fixture.enqueue(owner, "hello").taskId();

        HttpResponse<String> plain = http.send(request("/v1/agent/runs/" + taskId + "/events", owner.user().id()).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(plain.statusCode()).isEqualTo(406);
        assertThat(plain.body()).contains("Accept: text/event-stream");
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
