package dev.eryao.worker;

import static dev.eryao.support.EventStream.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.provider.ToolCall;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunService;
import dev.eryao.support.EventStream;
import dev.eryao.support.EventStream.Event;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.CallsTools;
import dev.eryao.support.FakeLlmServer.Failure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A run's tool calls and their results in its event stream and its session's, over real HTTP: in
 * order with the text, numbered in the one sequence of the stream's ids, replayed on reconnect
 * like the text, and told again at the start of a retried attempt. A real MCP server on loopback
 * (the stand-in's) performs one call; the other names no tool the run is offered (an error result).
 */
class ToolEventsStreamTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String[] SHAPE = {"delta", "tool_call", "tool_call", "tool_result", "tool_result", "delta"};

    private final RunFixture fixture = new RunFixture();
    private final ToolServers tools = new ToolServers(fixture);
    private FixtureApi api;

    @BeforeEach
    void apiOverTheFixture() {
        api = FixtureApi.start(fixture);
    }

    @AfterEach
    void close() {
        tools.close();
        fixture.close();
    }

    private String server() throws Exception {
        return tools.register("tools", tools.standIn().url(), List.of("add"), List.of(), 0L);
    }

    private RunAccepted enqueue(RunFixture.Owner owner, String server) {
        return fixture.enqueue(
                owner, new RunService.NewRun("add 2 and 3", null, null, null, null, null, null, List.of(server)));
    }

    private CallsTools twoCalls(String server) {
        return new CallsTools(
                "Adding. ",
                List.of(
                        new ToolCall("call_add", server + "__add", "{\"a\": 2, \"b\": 3}"),
                        new ToolCall("call_none", "missing", "{}")),
                3,
                100,
                10,
                null);
    }

    @Test
    void aRunsStreamCarriesItsToolCallsAndResultsInOrderWithTheTextAndAReconnectResumesAmongThem() throws Exception {
        String server = server();
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(twoCalls(server), new Answer("It is 5.", 200, 5));
        RunAccepted task = enqueue(owner, server);
        try (Worker worker = fixture.worker(1, 3)) {
            assertThat(worker.performDue()).isEqualTo(1);
        }

        List<Event> log = runsLog(owner, task);
        assertThat(shape(log)).containsExactly(SHAPE);
        assertThat(log)
                .extracting(Event::id)
                .as("one sequence of ids, text and tool events alike")
                .containsExactlyElementsOf(
                        IntStream.range(0, log.size()).mapToObj(i -> "1." + i).toList());
        List<Event> calls = named(log, "tool_call");
        List<Event> results = named(log, "tool_result");
        int firstCall = log.indexOf(calls.getFirst());
        int lastResult = log.indexOf(results.getLast());
        assertThat(text(log.subList(0, firstCall))).isEqualTo("Adding. ");
        assertThat(text(log.subList(lastResult + 1, log.size()))).isEqualTo("It is 5.");
        JsonNode call = calls.getFirst().json();
        assertThat(call.path("attempt").asInt()).isEqualTo(1);
        assertThat(call.path("index").asInt()).isEqualTo(firstCall);
        assertThat(call.path("id").asText()).isEqualTo("call_add");
        assertThat(call.path("tool").asText()).isEqualTo(server + "__add");
        assertThat(call.path("arguments").asText()).isEqualTo("{\"a\": 2, \"b\": 3}");
        JsonNode added = results.getFirst().json();
        assertThat(added.path("id").asText()).isEqualTo("call_add");
        assertThat(added.path("result").asText()).isEqualTo("5");
        assertThat(added.path("error").asBoolean()).isFalse();
        JsonNode refused = results.getLast().json();
        assertThat(refused.path("id").asText()).isEqualTo("call_none");
        assertThat(refused.path("error").asBoolean()).isTrue();
        assertThat(refused.path("result").asText()).isEqualTo("no tool named 'missing' is offered to this run");

        List<Event> resumed;
        try (EventStream stream = api.openPath(
                owner,
                "/v1/agent/runs/" + task.taskId() + "/events",
                calls.getLast().id())) {
            resumed = stream.until(status("succeeded"), WAIT);
        }
        assertThat(withoutStatus(resumed).stream().map(Event::id))
                .as("after the second call: its results and the answer, nothing twice")
                .containsExactlyElementsOf(log.subList(firstCall + 2, log.size()).stream()
                        .map(Event::id)
                        .toList());
    }

    @Test
    void aSessionsStreamCarriesTheToolEventsWithTheRunsIdAndResumesAmongThem() throws Exception {
        String server = server();
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(twoCalls(server), new Answer("It is 5.", 200, 5));
        RunAccepted task = enqueue(owner, server);
        String path = "/v1/agent/sessions/" + owner.sessionId() + "/events";

        List<Event> events;
        try (EventStream stream = api.openPath(owner, path, null);
                Worker worker = fixture.worker(1, 3)) {
            assertThat(worker.performDue()).isEqualTo(1);
            events = stream.until(status("succeeded"), WAIT);
        }
        List<Event> log = withoutStatus(events);
        assertThat(shape(log)).containsExactly(SHAPE);
        assertThat(log)
                .allSatisfy(e -> assertThat(e.json().path("run_id").asText())
                        .isEqualTo(task.taskId().toString()));
        Event added = named(log, "tool_result").getFirst();
        assertThat(added.json().path("result").asText()).isEqualTo("5");
        assertThat(added.id()).startsWith(task.taskId() + "/1." + log.indexOf(added));

        List<Event> resumed;
        try (EventStream stream = api.openPath(owner, path, added.id())) {
            resumed = stream.until(status("succeeded"), WAIT);
        }
        assertThat(shape(withoutStatus(resumed))).containsExactly("tool_result", "delta");
    }

    @Test
    void aRetriedAttemptsStreamTellsAgainTheStepsItContinuesAfter() throws Exception {
        String server = server();
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                twoCalls(server),
                new Failure(503, "{\"error\":{\"message\":\"busy\"}}"),
                new Answer("It is 5.", 200, 5));
        RunAccepted task = enqueue(owner, server);
        try (Worker worker = fixture.worker(1, 3)) {
            assertThat(worker.performDue()).isEqualTo(1);
            fixture.clock.advance(Duration.ofMillis(RunFixture.BACKOFF_MS));
            assertThat(worker.performDue()).isEqualTo(1);
        }

        List<Event> log = runsLog(owner, task);
        assertThat(shape(log)).containsExactly(SHAPE);
        assertThat(log).extracting(Event::id).allMatch(id -> id.startsWith("2."));
        assertThat(named(log, "tool_result").getFirst().json().path("result").asText())
                .isEqualTo("5");
        assertThat(fixture.count(
                        "SELECT count(*) FROM agent_run_step WHERE run_id = ? AND kind = 'tool'", task.taskId()))
                .as("the calls were not made again")
                .isEqualTo(2);
    }

    /**
     * The events' names, a run of deltas as one: how the text is cut into pieces depends on how
     * fast the database takes them, the order of text and tool events does not.
     */
    private static List<String> shape(List<Event> log) {
        List<String> names = new ArrayList<>();
        for (Event event : log) {
            if (!(event.name().equals("delta")
                    && !names.isEmpty()
                    && names.getLast().equals("delta"))) {
                names.add(event.name());
            }
        }
        return names;
    }

    /** The succeeded run's stream from its start, as a new page reads it. */
    private List<Event> runsLog(RunFixture.Owner owner, RunAccepted task) throws Exception {
        try (EventStream stream = api.openPath(owner, "/v1/agent/runs/" + task.taskId() + "/events", null)) {
            return withoutStatus(stream.until(status("succeeded"), WAIT));
        }
    }

    /** The text and tool events, whose ids and order are what these tests are about. */
    private static List<Event> withoutStatus(List<Event> events) {
        return events.stream().filter(e -> !e.name().equals("status")).toList();
    }

    private static List<Event> named(List<Event> log, String name) {
        return log.stream().filter(e -> e.name().equals(name)).toList();
    }

    private static String text(List<Event> deltas) {
        return deltas.stream().map(e -> e.json().path("text").asText()).collect(Collectors.joining());
    }
}
