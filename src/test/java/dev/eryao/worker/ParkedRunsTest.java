package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.models.RunStatus;
import dev.eryao.provider.ToolCall;
import dev.eryao.services.ClientTool;
import dev.eryao.services.ConflictException;
import dev.eryao.services.InvalidInputException;
import dev.eryao.services.PendingCall;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunPrice;
import dev.eryao.services.RunService;
import dev.eryao.services.RunView;
import dev.eryao.services.StepView;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.CallsTools;
import dev.eryao.support.ScriptedMcpServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Runs that wait for their owner: a call of a registered tool that needs approval, or of one of the
 * client's own tools, parks the run (no lease, no worker, its hold kept), the owner answers, and a
 * worker resumes it from its recorded steps. Real MCP servers on loopback, a loopback model that
 * calls tools, the real database.
 */
class ParkedRunsTest {
    private final RunFixture fixture = new RunFixture();
    private final ToolServers tools = new ToolServers(fixture);
    private final RunPrice price = RunFixture.PRICE;

    @AfterEach
    void close() {
        tools.close();
        fixture.close();
    }

    /** The stand-in MCP server, its add needing approval. */
    private String demo() throws Exception {
        return tools.register("demo", tools.standIn().url(), List.of("*"), List.of("add"), 0L);
    }

    private RunAccepted enqueue(RunFixture.Owner owner, String input, List<String> tools, List<ClientTool> client) {
        return fixture.enqueue(owner, new RunService.NewRun(input, null, null, null, null, null, null, tools, client));
    }

    private static CallsTools calls(ToolCall... calls) {
        return new CallsTools("", List.of(calls), 4, 1000, 1000, null);
    }

    private static final ClientTool LOCATION = new ClientTool(
            "get_location",
            "where the user is",
            Map.of("type", "object", "properties", Map.of("precise", Map.of("type", "boolean"))));

    @Test
    void aCallNeedingApprovalParksTheRunWithNoLeaseAndAnApprovalResumesIt() throws Exception {
        String server = demo();
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                calls(new ToolCall("call_1", server + "__add", "{\"a\": 2, \"b\": 3.5}")),
                new Answer("2 + 3.5 = 5.5", 1500, 20));
        RunAccepted task = enqueue(owner, "add 2 and 3.5", List.of(server), null);

        assertThat(fixture.performDue()).isEqualTo(1);

        RunView parked = fixture.run(owner, task);
        assertThat(parked.status()).isEqualTo(RunStatus.REQUIRES_APPROVAL);
        assertThat(parked.stopReason()).as("why it stopped for now").isEqualTo("requires_approval");
        assertThat(parked.parkedAt()).isNotNull();
        assertThat(parked.pendingCalls())
                .containsExactly(PendingCall.waiting(
                        "call_1", server + "__add", "{\"a\": 2, \"b\": 3.5}", PendingCall.APPROVAL));
        assertThat(fixture.strings(
                        "SELECT coalesce(leased_by, 'none') || ' ' || coalesce(lease_expires_at::text, 'none')"
                                + " FROM agent_run WHERE id = ?",
                        task.taskId()))
                .as("a parked run holds no lease")
                .containsExactly("none none");
        assertThat(fixture.steps(owner, task)).extracting(StepView::kind).containsExactly("model");
        long firstStep = price.price(1000, 1000);
        assertThat(fixture.account(owner).held())
                .as("the hold is kept while it waits")
                .isGreaterThanOrEqualTo(firstStep);
        assertThat(fixture.performDue()).as("nothing is due while it waits").isZero();

        RunView approved = fixture.app
                .runs()
                .approve(owner.user(), task.taskId(), List.of(new RunService.Approval("call_1", true, null)));
        assertThat(approved.status()).isEqualTo(RunStatus.QUEUED);
        assertThat(fixture.performDue()).isEqualTo(1);

        RunView done = fixture.run(owner, task);
        assertThat(done.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(done.output()).isEqualTo("2 + 3.5 = 5.5");
        List<StepView> steps = fixture.steps(owner, task);
        assertThat(steps).extracting(StepView::kind).containsExactly("model", "tool", "model");
        assertThat(steps.get(1).result()).isEqualTo("5.5");
        assertThat(steps.get(1).error()).isFalse();
        JsonNode sent = fixture.llm.received().get(1).body().path("messages");
        assertThat(sent.get(sent.size() - 1).path("tool_call_id").asText()).isEqualTo("call_1");
        assertThat(sent.get(sent.size() - 1).path("content").asText()).isEqualTo("5.5");
        assertThat(done.chargedPoints()).isEqualTo(firstStep + price.price(1500, 20));
        assertThat(fixture.account(owner).balance()).isEqualTo(1_000 - done.chargedPoints());
        assertThat(fixture.account(owner).held()).isZero();
    }

    @Test
    void anApprovalIsForThatCallOnlyNotForALaterCallTheModelGivesTheSameId() throws Exception {
        String server = demo();
        RunFixture.Owner owner = fixture.owner(1_000);
        ToolCall add = new ToolCall("call_1", server + "__add", "{\"a\": 1, \"b\": 1}");
        fixture.llm.then(calls(add), calls(add), new Answer("done", 10, 3));
        RunAccepted task = enqueue(owner, "add twice", List.of(server), null);
        assertThat(fixture.performDue()).isEqualTo(1);
        fixture.app.runs().approve(owner.user(), task.taskId(), List.of(new RunService.Approval("call_1", true, null)));

        assertThat(fixture.performDue()).isEqualTo(1);

        RunView again = fixture.run(owner, task);
        assertThat(again.status())
                .as("the second step's call, though it reuses the id, waits for an approval of its own")
                .isEqualTo(RunStatus.REQUIRES_APPROVAL);
        assertThat(fixture.steps(owner, task)).extracting(StepView::kind).containsExactly("model", "tool", "model");
        fixture.app
                .runs()
                .approve(
                        owner.user(),
                        task.taskId(),
                        List.of(new RunService.Approval("call_1", false, "once is enough")));
        assertThat(fixture.performDue()).isEqualTo(1);
        List<StepView> steps = fixture.steps(owner, task);
        assertThat(steps).extracting(StepView::kind).containsExactly("model", "tool", "model", "tool", "model");
        assertThat(steps.get(1).error()).isFalse();
        assertThat(steps.get(3).error()).isTrue();
        assertThat(steps.get(3).result()).contains("once is enough");
    }

    @Test
    void aDenialGoesBackToTheModelAsTheCallsErrorAndTheToolIsNeverCalled() throws Exception {
        AtomicInteger called = new AtomicInteger();
        ScriptedMcpServer scripted =
                tools.scripted(cursor -> Map.of("tools", List.of(ScriptedMcpServer.tool("delete_all"))), request -> {
                    called.incrementAndGet();
                    return ScriptedMcpServer.result(request, Map.of("content", List.of()));
                });
        String server = tools.register("guarded", scripted.url(), List.of("delete_all"), List.of("delete_all"), 0L);
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                calls(new ToolCall("call_x", server + "__delete_all", "{}")), new Answer("I did not delete", 10, 3));
        RunAccepted task = enqueue(owner, "clean up", List.of(server), null);
        assertThat(fixture.performDue()).isEqualTo(1);
        assertThat(fixture.run(owner, task).status()).isEqualTo(RunStatus.REQUIRES_APPROVAL);

        fixture.app
                .runs()
                .approve(
                        owner.user(),
                        task.taskId(),
                        List.of(new RunService.Approval("call_x", false, "not on production")));
        assertThat(fixture.performDue()).isEqualTo(1);

        StepView tool = fixture.steps(owner, task).get(1);
        assertThat(tool.error()).isTrue();
        assertThat(tool.result()).contains("the owner denied this call").contains("not on production");
        assertThat(called).as("a denied call is never made").hasValue(0);
        JsonNode sent = fixture.llm.received().get(1).body().path("messages");
        assertThat(sent.get(sent.size() - 1).path("content").asText()).contains("denied");
        assertThat(fixture.run(owner, task).status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void clientToolsParkTheRunUntilEveryOutputIsPosted() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                calls(
                        new ToolCall("call_a", "get_location", "{\"precise\": true}"),
                        new ToolCall("call_b", "get_location", "{}")),
                new Answer("You are in Lisbon", 10, 3));
        RunAccepted task = enqueue(owner, "where am I?", null, List.of(LOCATION));

        assertThat(fixture.performDue()).isEqualTo(1);
        JsonNode offered = fixture.llm.received().getFirst().body().path("tools");
        assertThat(offered.findValuesAsText("name")).containsExactly("get_location");
        RunView parked = fixture.run(owner, task);
        assertThat(parked.status()).isEqualTo(RunStatus.REQUIRES_ACTION);
        assertThat(parked.stopReason()).isEqualTo("requires_action");
        assertThat(parked.pendingCalls()).extracting(PendingCall::id).containsExactly("call_a", "call_b");
        assertThat(parked.pendingCalls()).extracting(PendingCall::kind).containsOnly(PendingCall.CLIENT);

        RunView half = fixture.app
                .runs()
                .submitToolOutputs(
                        owner.user(), task.taskId(), List.of(new RunService.ToolOutput("call_a", "38.72,-9.14")));
        assertThat(half.status()).as("one output is still missing").isEqualTo(RunStatus.REQUIRES_ACTION);
        assertThat(fixture.performDue()).isZero();
        fixture.app
                .runs()
                .submitToolOutputs(owner.user(), task.taskId(), List.of(new RunService.ToolOutput("call_b", "Lisbon")));
        assertThat(fixture.performDue()).isEqualTo(1);

        List<StepView> steps = fixture.steps(owner, task);
        assertThat(steps).extracting(StepView::kind).containsExactly("model", "tool", "tool", "model");
        assertThat(steps).extracting(StepView::result).containsSubsequence("38.72,-9.14", "Lisbon");
        JsonNode sent = fixture.llm.received().get(1).body().path("messages");
        assertThat(sent.get(sent.size() - 2).path("content").asText()).isEqualTo("38.72,-9.14");
        assertThat(sent.get(sent.size() - 1).path("content").asText()).isEqualTo("Lisbon");
        assertThat(fixture.run(owner, task).output()).isEqualTo("You are in Lisbon");
    }

    @Test
    void aRunLeftWaitingExpiresChargedItsStepsAndGivesTheRestOfItsHoldBack() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(calls(new ToolCall("call_a", "get_location", "{}")));
        RunAccepted task = enqueue(owner, "where am I?", null, List.of(LOCATION));
        assertThat(fixture.performDue()).isEqualTo(1);

        try (Worker worker = fixture.worker(1, 3)) {
            assertThat(worker.expireParkedOnce()).as("not yet").isZero();
            fixture.clock.advance(fixture.app.settings().runs().parkedExpiry().plus(Duration.ofSeconds(1)));
            assertThat(worker.expireParkedOnce()).isEqualTo(1);
        }

        RunView expired = fixture.run(owner, task);
        assertThat(expired.status()).isEqualTo(RunStatus.EXPIRED);
        assertThat(expired.stopReason()).isEqualTo("expired");
        assertThat(expired.pendingCalls()).isNull();
        long firstStep = price.price(1000, 1000);
        assertThat(expired.chargedPoints()).as("its one model step").isEqualTo(firstStep);
        assertThat(fixture.account(owner).held()).isZero();
        assertThat(fixture.account(owner).balance()).isEqualTo(1_000 - firstStep);
        assertThatThrownBy(() -> fixture.app
                        .runs()
                        .submitToolOutputs(
                                owner.user(), task.taskId(), List.of(new RunService.ToolOutput("call_a", "late"))))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("expired");
    }

    @Test
    void aParkedRunCancelledOrItsSessionDeletedEndsAtOnceChargedItsSteps() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                calls(new ToolCall("call_a", "get_location", "{}")),
                calls(new ToolCall("call_b", "get_location", "{}")));
        RunAccepted cancelled = enqueue(owner, "where am I?", null, List.of(LOCATION));
        assertThat(fixture.performDue()).isEqualTo(1);
        RunView view = fixture.app.runs().cancel(owner.user(), cancelled.taskId());
        assertThat(view.status()).isEqualTo(RunStatus.CANCELLED);
        long firstStep = price.price(1000, 1000);
        assertThat(view.chargedPoints()).isEqualTo(firstStep);

        RunAccepted deleted = enqueue(owner, "and now?", null, List.of(LOCATION));
        assertThat(fixture.performDue()).isEqualTo(1);
        assertThat(fixture.run(owner, deleted).status()).isEqualTo(RunStatus.REQUIRES_ACTION);
        fixture.app.sessions().delete(owner.user(), owner.sessionId());
        assertThat(fixture.strings(
                        "SELECT status || ' ' || charged_points FROM agent_run WHERE id = ?", deleted.taskId()))
                .containsExactly("cancelled " + firstStep);

        assertThat(fixture.account(owner).held()).isZero();
        assertThat(fixture.account(owner).balance()).isEqualTo(1_000 - 2 * firstStep);
        assertThat(fixture.count(
                        "SELECT count(*) FROM points_ledger WHERE owner_id = ?",
                        owner.user().id()))
                .as("the grant and one debit per run")
                .isEqualTo(3);
    }

    @Test
    void aParkedRunKeepsItsSessionsTurn() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                calls(new ToolCall("call_a", "get_location", "{}")),
                new Answer("first answered", 10, 3),
                new Answer("second answered", 10, 3));
        RunAccepted first = enqueue(owner, "where am I?", null, List.of(LOCATION));
        assertThat(fixture.performDue()).isEqualTo(1);
        RunAccepted second = enqueue(owner, "and then?", null, null);

        assertThat(fixture.performDue())
                .as("the session's later run waits behind the parked one")
                .isZero();
        fixture.app
                .runs()
                .submitToolOutputs(owner.user(), first.taskId(), List.of(new RunService.ToolOutput("call_a", "here")));
        assertThat(fixture.performDue()).isEqualTo(2);

        assertThat(fixture.run(owner, first).output()).isEqualTo("first answered");
        assertThat(fixture.run(owner, second).output()).isEqualTo("second answered");
    }

    @Test
    void answersAreCheckedAndABadOneChangesNothing() throws Exception {
        String server = demo();
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                calls(
                        new ToolCall("call_1", server + "__add", "{\"a\": 1, \"b\": 2}"),
                        new ToolCall("call_2", "get_location", "{}")),
                new Answer("done", 10, 3));
        RunAccepted task = enqueue(owner, "both", List.of(server), List.of(LOCATION));
        assertThat(fixture.performDue()).isEqualTo(1);
        RunView parked = fixture.run(owner, task);
        assertThat(parked.status())
                .as("waiting for an approval while one is unanswered")
                .isEqualTo(RunStatus.REQUIRES_APPROVAL);
        assertThat(parked.pendingCalls()).extracting(PendingCall::kind).containsExactly("approval", "client");

        RunService runs = fixture.app.runs();
        assertThatThrownBy(() -> runs.approve(
                        owner.user(), task.taskId(), List.of(new RunService.Approval("call_9", true, null))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("call_9");
        assertThatThrownBy(() -> runs.approve(
                        owner.user(), task.taskId(), List.of(new RunService.Approval("call_2", true, null))))
                .as("a client tool's call takes an output, not an approval")
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> runs.submitToolOutputs(
                        owner.user(), task.taskId(), List.of(new RunService.ToolOutput("call_1", "3"))))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> runs.approve(owner.user(), task.taskId(), List.of()))
                .isInstanceOf(InvalidInputException.class);
        RunFixture.Owner stranger = fixture.owner(0);
        assertThatThrownBy(() -> runs.approve(
                        stranger.user(), task.taskId(), List.of(new RunService.Approval("call_1", true, null))))
                .isInstanceOf(dev.eryao.services.NotFoundException.class);
        assertThat(fixture.run(owner, task)).as("nothing changed").isEqualTo(parked);

        RunView approved =
                runs.approve(owner.user(), task.taskId(), List.of(new RunService.Approval("call_1", true, null)));
        assertThat(approved.status()).as("now only the output is missing").isEqualTo(RunStatus.REQUIRES_ACTION);
        assertThat(runs.approve(owner.user(), task.taskId(), List.of(new RunService.Approval("call_1", true, null)))
                        .status())
                .as("the same answer again is harmless")
                .isEqualTo(RunStatus.REQUIRES_ACTION);
        assertThatThrownBy(() -> runs.approve(
                        owner.user(), task.taskId(), List.of(new RunService.Approval("call_1", false, null))))
                .isInstanceOf(ConflictException.class);

        runs.submitToolOutputs(owner.user(), task.taskId(), List.of(new RunService.ToolOutput("call_2", "home")));
        assertThat(fixture.performDue()).isEqualTo(1);
        assertThat(fixture.steps(owner, task)).extracting(StepView::result).containsSubsequence("3", "home");
        assertThatThrownBy(() -> runs.submitToolOutputs(
                        owner.user(), task.taskId(), List.of(new RunService.ToolOutput("call_2", "home"))))
                .as("a finished run takes no answers")
                .isInstanceOf(ConflictException.class);
    }

    @Test
    void aCallWithArgumentsTheSchemaRefusesIsAnErrorResultAndNeverAQuestionToTheOwner() throws Exception {
        String server = demo();
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                calls(
                        new ToolCall("call_1", server + "__add", "{\"a\": \"two\"}"),
                        new ToolCall("call_2", "get_location", "{\"precise\": \"very\"}")),
                new Answer("I could not", 10, 3));
        RunAccepted task = enqueue(owner, "add", List.of(server), List.of(LOCATION));

        assertThat(fixture.performDue()).isEqualTo(1);

        assertThat(fixture.run(owner, task).status()).isEqualTo(RunStatus.SUCCEEDED);
        List<StepView> steps = fixture.steps(owner, task);
        assertThat(steps).extracting(StepView::kind).containsExactly("model", "tool", "tool", "model");
        assertThat(steps.get(1).error()).isTrue();
        assertThat(steps.get(2).error()).isTrue();
        assertThat(steps.get(2).result()).contains("/precise");
    }

    @Test
    void clientToolsAreCheckedAtEnqueue() {
        RunFixture.Owner owner = fixture.owner(1_000);
        assertThatThrownBy(() -> enqueue(owner, "x", null, List.of(new ClientTool("bad name", null, null))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("client_tools");
        assertThatThrownBy(() -> enqueue(owner, "x", null, List.of(new ClientTool("demo__add", null, null))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'__'");
        assertThatThrownBy(() -> enqueue(owner, "x", null, List.of(LOCATION, LOCATION)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("twice");
        assertThatThrownBy(() ->
                        enqueue(owner, "x", null, List.of(new ClientTool("t", null, Map.of("type", "string")))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("object schema");
        assertThat(fixture.app
                        .runs()
                        .listOfSession(owner.user(), owner.sessionId(), null, firstPage())
                        .items())
                .as("nothing was accepted")
                .isEmpty();
    }

    private static dev.eryao.core.db.PageRequest firstPage() {
        return dev.eryao.core.db.PageRequest.newestFirst(10, null);
    }
}
