package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.provider.ToolCall;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunService;
import dev.eryao.services.StepView;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.CallsTools;
import dev.eryao.support.ScriptedMcpServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What comes back from a tool is data, bounded, and a tool sees nothing but the call: a result far
 * longer than the bound is cut before it is stored or sent to the model; the tool server receives
 * only the arguments of the run's own call, never its owner's token or another owner's call.
 */
class UntrustedToolResultsTest {
    private static final int RESULT_CHARS = 65_536;

    private final RunFixture fixture = new RunFixture();
    private final ToolServers tools = new ToolServers(fixture);

    @AfterEach
    void close() {
        tools.close();
        fixture.close();
    }

    private RunAccepted enqueue(RunFixture.Owner owner, String input, String server) {
        return fixture.enqueue(
                owner, new RunService.NewRun(input, null, null, null, null, null, null, List.of(server)));
    }

    @Test
    void aResultLongerThanTheBoundIsCutBeforeItIsStoredOrSentToTheModel() throws Exception {
        String huge = "x".repeat(RESULT_CHARS * 3);
        ScriptedMcpServer scripted = tools.scripted(
                cursor -> Map.of("tools", List.of(ScriptedMcpServer.tool("dump"))),
                request -> ScriptedMcpServer.result(
                        request, Map.of("content", List.of(Map.of("type", "text", "text", huge)))));
        String server = tools.register("tools", scripted.url(), List.of("dump"), List.of(), 0L);
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                new CallsTools("", List.of(new ToolCall("call_1", server + "__dump", "{}")), 4, 100, 10, null),
                new Answer("that was long", 10, 3));
        RunAccepted task = enqueue(owner, "dump it", server);

        assertThat(fixture.performDue()).isEqualTo(1);

        StepView step = fixture.steps(owner, task).get(1);
        assertThat(step.result()).startsWith("x".repeat(100)).contains("[cut: the result was longer than");
        assertThat(step.result().length()).isLessThan(RESULT_CHARS + 200);
        JsonNode sent = fixture.llm.received().get(1).body().path("messages");
        assertThat(sent.get(sent.size() - 1).path("content").asText()).isEqualTo(step.result());
    }

    @Test
    void aToolIsSentOnlyItsOwnRunsArgumentsAndNeverItsOwnersToken() throws Exception {
        ConcurrentLinkedQueue<String> arguments = new ConcurrentLinkedQueue<>();
        ScriptedMcpServer scripted =
                tools.scripted(cursor -> Map.of("tools", List.of(ScriptedMcpServer.tool("echo"))), request -> {
                    arguments.add(request.path("params").path("arguments").toString());
                    return ScriptedMcpServer.result(
                            request, Map.of("content", List.of(Map.of("type", "text", "text", "ok"))));
                });
        String server = tools.register("tools", scripted.url(), List.of("echo"), List.of(), 0L);
        RunFixture.Owner alice = fixture.owner(1_000);
        RunFixture.Owner bob = fixture.owner(1_000);
        fixture.llm.then(
                new CallsTools(
                        "",
                        List.of(new ToolCall("call_a", server + "__echo", "{\"who\":\"alice\"}")),
                        4,
                        100,
                        10,
                        null),
                new Answer("done", 10, 3),
                new CallsTools(
                        "", List.of(new ToolCall("call_b", server + "__echo", "{\"who\":\"bob\"}")), 4, 100, 10, null),
                new Answer("done", 10, 3));
        enqueue(alice, "alice's secret question", server);
        assertThat(fixture.performDue()).isEqualTo(1);
        enqueue(bob, "bob's question", server);
        assertThat(fixture.performDue()).isEqualTo(1);

        assertThat(arguments).containsExactly("{\"who\":\"alice\"}", "{\"who\":\"bob\"}");
        assertThat(scripted.headers())
                .allSatisfy(headers -> assertThat(headers.keySet())
                        .as("no credential of an owner's reaches a tool server")
                        .noneMatch(name -> name.equalsIgnoreCase("Authorization") || name.equalsIgnoreCase("Cookie")));
        assertThat(scripted.headers().toString())
                .doesNotContain(alice.user().id().toString())
                .doesNotContain(bob.user().id().toString())
                .doesNotContain("secret question");
    }
}
