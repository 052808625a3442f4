package dev.eryao.worker;

import static dev.eryao.support.EventStream.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.provider.ToolCall;
import dev.eryao.support.ApiContract;
import dev.eryao.support.EventStream;
import dev.eryao.support.EventStream.Event;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.CallsTools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A parked run over real HTTP: declared client tools accepted with the run, the parked state in
 * the run's and the session's event streams (and found again by a reloaded page), its pending calls
 * answered by POST …/tool-outputs and …/approvals, bad answers refused as problems that change
 * nothing, and the resumed run followed to its end. Every answer is checked against the served
 * OpenAPI document.
 */
class ParkedRunRoutesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLIENT_TOOLS = """
            [{"name": "get_location", "description": "where the user is",
              "parameters": {"type": "object", "properties": {"precise": {"type": "boolean"}}}}]""";

    private final RunFixture fixture = new RunFixture();
    private final HttpClient http = HttpClient.newHttpClient();
    private FixtureApi api;
    private ApiContract contract;

    @BeforeEach
    void apiOverTheFixture() throws Exception {
        api = FixtureApi.start(fixture);
        contract = ApiContract.of(http.send(
                        HttpRequest.newBuilder(URI.create(api.base() + "/openapi.json"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }

    @AfterEach
    void close() {
        http.close();
        fixture.close();
    }

    private record Answered(int status, JsonNode json, String contentType) {}

    private Answered post(RunFixture.Owner owner, String path, String body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(api.base() + path))
                        .header(
                                "Authorization",
                                "Bearer " + FixtureApi.token(owner.user().id()))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        contract.check(new ApiContract.Exchange(
                "POST", path, response.statusCode(), response.headers().map(), response.body()));
        return new Answered(
                response.statusCode(),
                JSON.readTree(response.body()),
                response.headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    void aParkedRunIsSeenInItsStreamsAnsweredOverHttpAndFollowedToItsEnd() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                new CallsTools(
                        "Looking. ",
                        List.of(new ToolCall("call_a", "get_location", "{\"precise\": true}")),
                        4,
                        100,
                        10,
                        null),
                new Answer("You are in Lisbon.", 200, 5));
        Answered accepted = post(
                owner,
                "/v1/agent/sessions/" + owner.sessionId() + "/runs",
                "{\"input\": \"where am I?\", \"client_tools\": " + CLIENT_TOOLS + "}");
        assertThat(accepted.status()).as(accepted.json().toString()).isEqualTo(202);
        String taskId = accepted.json().path("task_id").asText();
        String runEvents = "/v1/agent/runs/" + taskId + "/events";

        List<Event> parked;
        List<Event> sessionParked;
        try (EventStream session = api.openPath(owner, "/v1/agent/sessions/" + owner.sessionId() + "/events", null);
                EventStream stream = api.openPath(owner, runEvents, null);
                Worker worker = fixture.worker(1, 3)) {
            assertThat(worker.performDue()).isEqualTo(1);
            parked = stream.until(status("requires_action"), WAIT);
            sessionParked = session.until(status("requires_action"), WAIT);
        }
        JsonNode waiting = parked.getLast().json();
        assertThat(waiting.path("pending_calls").get(0).path("id").asText()).isEqualTo("call_a");
        assertThat(waiting.path("pending_calls").get(0).path("kind").asText()).isEqualTo("client");
        assertThat(waiting.path("pending_calls").get(0).path("arguments").asText())
                .isEqualTo("{\"precise\": true}");
        assertThat(parked).extracting(Event::name).contains("tool_call");
        assertThat(firstPendingCallId(sessionParked)).isEqualTo("call_a");

        // A reloaded page: a new stream, no Last-Event-ID, finds the run waiting and what on.
        try (EventStream reloaded = api.openPath(owner, runEvents, null)) {
            List<Event> replay = reloaded.until(status("requires_action"), WAIT);
            assertThat(firstPendingCallId(replay)).isEqualTo("call_a");
        }

        String outputs = "/v1/agent/runs/" + taskId + "/tool-outputs";
        Answered unknown =
                post(owner, outputs, "{\"tool_outputs\": [{\"tool_call_id\": \"call_z\", \"output\": \"x\"}]}");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(unknown.json().toString()).contains("call_z");
        Answered approval = post(
                owner,
                "/v1/agent/runs/" + taskId + "/approvals",
                "{\"approvals\": [{\"tool_call_id\": \"call_a\", \"approve\": true}]}");
        assertThat(approval.status()).as("a client tool's call takes an output").isEqualTo(422);
        Answered noOutput = post(owner, outputs, "{\"tool_outputs\": [{\"tool_call_id\": \"call_a\"}]}");
        assertThat(noOutput.status()).isEqualTo(422);
        RunFixture.Owner stranger = fixture.owner(0);
        assertThat(post(stranger, outputs, "{\"tool_outputs\": [{\"tool_call_id\": \"call_a\", \"output\": \"x\"}]}")
                        .status())
                .isEqualTo(404);
        assertThat(fixture.strings("SELECT status FROM agent_run WHERE id = ?::uuid", taskId))
                .as("nothing changed")
                .containsExactly("requires_action");

        Answered given =
                post(owner, outputs, "{\"tool_outputs\": [{\"tool_call_id\": \"call_a\", \"output\": \"Lisbon\"}]}");
        assertThat(given.status()).isEqualTo(200);
        assertThat(given.json().path("status").asText()).isEqualTo("queued");

        List<Event> resumed;
        try (EventStream stream =
                        api.openPath(owner, runEvents, parked.getLast().id());
                Worker worker = fixture.worker(1, 3)) {
            assertThat(worker.performDue()).isEqualTo(1);
            resumed = stream.until(status("succeeded"), WAIT);
        }
        assertThat(resumed).extracting(Event::name).contains("restart", "tool_result");
        Event result = resumed.stream()
                .filter(e -> e.name().equals("tool_result"))
                .findFirst()
                .orElseThrow();
        assertThat(result.json().path("result").asText()).isEqualTo("Lisbon");
        assertThat(resumed.getLast().json().path("output").asText()).isEqualTo("You are in Lisbon.");
        assertThat(resumed.getLast().json().path("pending_calls").isNull()).isTrue();

        Answered late = post(owner, outputs, "{\"tool_outputs\": [{\"tool_call_id\": \"call_a\", \"output\": \"x\"}]}");
        assertThat(late.status()).as("a finished run takes no answers").isEqualTo(409);
        assertThat(late.contentType()).startsWith("application/problem+json");
    }

    @Test
    void badClientToolsAreRefusedAtEnqueueAsAProblemNamingTheField() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        Answered refused = post(
                owner,
                "/v1/agent/sessions/" + owner.sessionId() + "/runs",
                "{\"input\": \"x\", \"client_tools\": [{\"name\": \"a b\"}]}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().toString()).contains("client_tools");
        assertThat(fixture.count("SELECT count(*) FROM agent_run")).isZero();
    }

    /** The id of the first call the run waits on, as the stream's last event tells it. */
    private static String firstPendingCallId(List<Event> events) {
        return events.getLast().json().path("pending_calls").get(0).path("id").asText();
    }
}
