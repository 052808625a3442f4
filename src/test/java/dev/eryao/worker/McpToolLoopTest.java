package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.mcp.McpHttpServer;
import dev.eryao.models.RunStatus;
import dev.eryao.provider.ToolCall;
import dev.eryao.services.InvalidInputException;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunPrice;
import dev.eryao.services.RunService;
import dev.eryao.services.RunView;
import dev.eryao.services.StepView;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.CallsTools;
import dev.eryao.support.ScriptedMcpServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The tool loop with registered MCP servers: real servers over streamable HTTP on loopback (the
 * SDK's server side, and a scripted one for what it will not do), a loopback model that calls their
 * tools, the real database.
 */
class McpToolLoopTest {
    private final RunFixture fixture = new RunFixture();
    private final ToolServers tools = new ToolServers(fixture);
    private final RunPrice price = RunFixture.PRICE;

    @AfterEach
    void close() {
        tools.close();
        fixture.close();
    }

    private String register(String url, List<String> allowed, List<String> approval, long pricePerCall) {
        return tools.register("tools", url, allowed, approval, pricePerCall);
    }

    private RunAccepted enqueue(RunFixture.Owner owner, String input, List<String> tools) {
        return fixture.enqueue(owner, new RunService.NewRun(input, null, null, null, null, null, null, tools));
    }

    private static CallsTools calls(ToolCall... calls) {
        return new CallsTools("", List.of(calls), 4, 1000, 1000, null);
    }

    @Test
    void aRegisteredToolIsOfferedCalledAndItsResultGoesBackToTheModel() throws Exception {
        McpHttpServer standIn = tools.standIn();
        String server = register(standIn.url(), List.of("add", "word_count"), List.of(), 3);
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                calls(new ToolCall("call_1", server + "__add", "{\"a\": 2, \"b\": 3.5}")),
                new Answer("2 + 3.5 = 5.5", 1500, 20));
        RunAccepted task = enqueue(owner, "add 2 and 3.5", List.of(server));

        assertThat(fixture.performDue()).isEqualTo(1);

        RunView view = fixture.run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(view.stopReason()).isEqualTo("end_turn");
        JsonNode offered = fixture.llm.received().getFirst().body().path("tools");
        assertThat(offered.findValuesAsText("name"))
                .containsExactlyInAnyOrder(server + "__add", server + "__word_count");
        List<StepView> steps = fixture.steps(owner, task);
        assertThat(steps).extracting(StepView::kind).containsExactly("model", "tool", "model");
        StepView tool = steps.get(1);
        assertThat(tool.tool()).isEqualTo(server + "__add");
        assertThat(tool.error()).isFalse();
        assertThat(tool.result()).isEqualTo("5.5");
        assertThat(tool.pointsCharged()).as("the tool's price per call").isEqualTo(3);
        JsonNode sent = fixture.llm.received().get(1).body().path("messages");
        assertThat(sent.get(sent.size() - 1).path("content").asText()).isEqualTo("5.5");
        assertThat(view.chargedPoints()).isEqualTo(price.price(1000, 1000) + 3 + price.price(1500, 20));
        assertThat(fixture.app.points().account(owner.user().id()).balance()).isEqualTo(1_000 - view.chargedPoints());
    }

    @Test
    void argumentsTheSchemaRefusesAreAnErrorResultAndNoCall() throws Exception {
        AtomicInteger called = new AtomicInteger();
        ScriptedMcpServer scripted = tools.scripted(
                cursor -> Map.of(
                        "tools",
                        List.of(Map.of(
                                "name",
                                "echo",
                                "description",
                                "echoes",
                                "inputSchema",
                                Map.of(
                                        "type",
                                        "object",
                                        "properties",
                                        Map.of("text", Map.of("type", "string")),
                                        "required",
                                        List.of("text"))))),
                request -> {
                    called.incrementAndGet();
                    return ScriptedMcpServer.result(
                            request, Map.of("content", List.of(Map.of("type", "text", "text", "echo"))));
                });
        String server = register(scripted.url(), List.of("echo"), List.of(), 0);
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                calls(
                        new ToolCall("call_1", server + "__echo", "{\"text\": 42}"),
                        new ToolCall("call_2", server + "__echo", "{\"text\": \"not closed\"")),
                new Answer("I could not.", 10, 3));
        RunAccepted task = enqueue(owner, "echo", List.of(server + "__echo"));

        assertThat(fixture.performDue()).isEqualTo(1);

        List<StepView> steps = fixture.steps(owner, task);
        assertThat(steps.get(1).error()).isTrue();
        assertThat(steps.get(1).result())
                .contains("do not match the tool's input schema")
                .contains("/text");
        assertThat(steps.get(2).error()).isTrue();
        assertThat(steps.get(2).result()).isEqualTo("the arguments are not JSON");
        assertThat(called).as("no call was made").hasValue(0);
        assertThat(fixture.run(owner, task).status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void aToolServerKilledMidCallIsAnErrorResultAndTheRunGoesOn() throws Exception {
        CountDownLatch inCall = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        ScriptedMcpServer scripted =
                tools.scripted(cursor -> Map.of("tools", List.of(ScriptedMcpServer.tool("slow"))), request -> {
                    inCall.countDown();
                    try {
                        never.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return ScriptedMcpServer.result(request, Map.of("content", List.of()));
                });
        String server = register(scripted.url(), List.of("slow"), List.of(), 0);
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(calls(new ToolCall("call_1", server + "__slow", "{}")), new Answer("it failed", 10, 3));
        RunAccepted task = enqueue(owner, "go", List.of(server));

        CompletableFuture<Integer> performing = CompletableFuture.supplyAsync(fixture::performDue);
        try {
            assertThat(inCall.await(30, TimeUnit.SECONDS)).isTrue();
            scripted.close();
            assertThat(performing.get(60, TimeUnit.SECONDS)).isEqualTo(1);
        } finally {
            never.countDown();
        }

        RunView view = fixture.run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(view.output()).isEqualTo("it failed");
        StepView tool = fixture.steps(owner, task).get(1);
        assertThat(tool.error()).isTrue();
        assertThat(tool.result()).isNotBlank();
    }

    @Test
    void aRunCancelledWhileAToolCallIsInFlightStopsItAndIsChargedItsFirstStep() throws Exception {
        CountDownLatch inCall = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ScriptedMcpServer scripted =
                tools.scripted(cursor -> Map.of("tools", List.of(ScriptedMcpServer.tool("slow"))), request -> {
                    inCall.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return ScriptedMcpServer.result(
                            request, Map.of("content", List.of(Map.of("type", "text", "text", "late"))));
                });
        String server = register(scripted.url(), List.of("slow"), List.of(), 0);
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(calls(new ToolCall("call_1", server + "__slow", "{}")));
        RunAccepted task = enqueue(owner, "go", List.of(server));

        CompletableFuture<Integer> performing = CompletableFuture.supplyAsync(fixture::performDue);
        try {
            assertThat(inCall.await(30, TimeUnit.SECONDS)).isTrue();
            fixture.app.runs().cancel(owner.user(), task.taskId());
            assertThat(performing.get(30, TimeUnit.SECONDS))
                    .as("the call is cut short: the server still holds it")
                    .isEqualTo(1);
        } finally {
            release.countDown();
        }

        RunView view = fixture.run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(view.stopReason()).isEqualTo("cancelled");
        assertThat(fixture.llm.received()).hasSize(1);
        assertThat(view.chargedPoints()).isEqualTo(price.price(1000, 1000));
        assertThat(fixture.app.points().account(owner.user().id()).held()).isZero();
    }

    @Test
    void aSelectionNamingNoRegisteredServerIsRefusedAtEnqueue() {
        RunFixture.Owner owner = fixture.owner(1_000);
        assertThatThrownBy(() -> enqueue(owner, "go", List.of("nowhere-" + tools.unique)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("nowhere-" + tools.unique);
        assertThat(fixture.app.points().account(owner.user().id()).held()).isZero();
    }
}
