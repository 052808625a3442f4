package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.LlmSettings;
import dev.eryao.models.RunStatus;
import dev.eryao.services.InsufficientPointsException;
import dev.eryao.services.ModelDraft;
import dev.eryao.services.PointsAccountView;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunPrice;
import dev.eryao.services.RunView;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.Failure;
import dev.eryao.support.FakeLlmServer.TemplateCounted;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a run costs and who pays: enqueue holds the most a run can cost, the worker charges its real
 * price from that hold and releases it, and nothing a model reports can make a run cheaper than its
 * price or credit points. After every test the ledger sums to the balance and the balance's held
 * points are the holds of the owner's open runs.
 */
class RunChargesTest {
    private final RunFixture fixture = new RunFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private RunView run(RunFixture.Owner owner, RunAccepted task) {
        return fixture.app.runs().get(owner.user(), task.taskId());
    }

    private PointsAccountView account(RunFixture.Owner owner) {
        return fixture.app.points().account(owner.user().id());
    }

    /** The hold the fixture's model takes for {@code input} alone. */
    private static long holdFor(String input) {
        return RunFixture.PRICE.hold(RunPrice.promptTokenBound(List.of(input)));
    }

    private void assertBooksBalance(RunFixture.Owner owner) throws Exception {
        UUID id = owner.user().id();
        PointsAccountView account = account(owner);
        assertThat(fixture.count("SELECT coalesce(sum(amount), 0) FROM points_ledger WHERE owner_id = ?", id))
                .as("the ledger sums to the balance")
                .isEqualTo(account.balance());
        assertThat(fixture.count(
                        "SELECT coalesce(sum(held_points), 0) FROM agent_run"
                                + " WHERE owner_id = ? AND status IN ('queued', 'running')",
                        id))
                .as("held is the sum of the open runs' holds")
                .isEqualTo(account.held());
        assertThat(account.available())
                .isEqualTo(account.balance() - account.held())
                .isNotNegative();
    }

    private int performOne() {
        try (Worker worker = fixture.worker(1, 1)) {
            return worker.performDue();
        }
    }

    @Test
    void enqueueHoldsTheMostTheRunCanCostAndRefusesWhatTheAvailablePointsCannotHold() throws Exception {
        long hold = holdFor("hello");
        RunFixture.Owner owner = fixture.owner(2 * hold + hold / 2);

        RunAccepted first = fixture.enqueue(owner, "hello");
        fixture.enqueue(owner, "hello");

        assertThat(account(owner).held()).isEqualTo(2 * hold);
        assertThatThrownBy(() -> fixture.enqueue(owner, "hello"))
                .isInstanceOfSatisfying(InsufficientPointsException.class, e -> {
                    assertThat(e.requested()).isEqualTo(hold);
                    assertThat(e.available()).isEqualTo(hold / 2);
                });
        assertThat(fixture.count(
                        "SELECT count(*) FROM agent_run WHERE owner_id = ?",
                        owner.user().id()))
                .isEqualTo(2);
        assertThat(fixture.count("SELECT held_points FROM agent_run WHERE id = ?", first.taskId()))
                .isEqualTo(hold);
        assertBooksBalance(owner);
    }

    @Test
    void aSucceededRunIsChargedItsRealPriceFromItsHoldWhichIsReleased() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        RunAccepted task = fixture.enqueue(owner, "hello");
        fixture.llm.then(new Answer("hi", 1000, 500));

        assertThat(performOne()).isEqualTo(1);

        RunView view = run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(view.chargedPoints()).isEqualTo(view.costPoints()).isEqualTo(3);
        assertThat(account(owner))
                .extracting(PointsAccountView::balance, PointsAccountView::held)
                .containsExactly(97L, 0L);
        assertThat(fixture.llm.received().getFirst().body().path("max_tokens").asInt())
                .as("the output cap the hold counted on is sent")
                .isEqualTo(LlmSettings.DEFAULT_MAX_OUTPUT_TOKENS);
        assertBooksBalance(owner);
    }

    @Test
    void aRunThatFailsForGoodReleasesItsHoldAndChargesNothing() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        RunAccepted task = fixture.enqueue(owner, "hello");
        fixture.llm.then(new Failure(400, "{\"error\":\"bad request\"}"));

        assertThat(performOne()).isEqualTo(1);

        assertThat(run(owner, task).status()).isEqualTo(RunStatus.FAILED);
        assertThat(account(owner))
                .extracting(PointsAccountView::balance, PointsAccountView::held)
                .containsExactly(100L, 0L);
        assertBooksBalance(owner);
    }

    @Test
    void aLongConversationRaisesTheHoldAtClaimOrFailsTheRunBeforeAnyModelCall() throws Exception {
        long hold = holdFor("hello");
        RunFixture.Owner owner = fixture.owner(hold);
        // An earlier exchange the hold for "hello" alone does not cover: 40,000 bytes of prompt at
        // 1.5 points per 1,000 tokens is 60 points more.
        try (var connection = fixture.database.dataSource().getConnection();
                var insert = connection.prepareStatement(
                        "INSERT INTO agent_chat_message (session_id, owner_id, role, content)"
                                + " VALUES (?, ?, 'assistant', ?)")) {
            insert.setObject(1, owner.sessionId());
            insert.setObject(2, owner.user().id());
            insert.setString(3, "x".repeat(40_000));
            insert.executeUpdate();
            connection.commit();
        }
        RunAccepted task = fixture.enqueue(owner, "hello");

        assertThat(performOne()).isEqualTo(1);

        RunView view = run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.FAILED);
        assertThat(view.error()).contains("not enough points for this conversation");
        assertThat(fixture.llm.received()).as("no model call").isEmpty();
        assertThat(account(owner))
                .extracting(PointsAccountView::balance, PointsAccountView::held)
                .containsExactly(hold, 0L);

        // With the points to cover it, the hold is raised and the run is performed.
        fixture.app
                .points()
                .grant(new dev.eryao.services.PointsService.Change(owner.user().id(), 100, "more", null, null, null));
        RunAccepted second = fixture.enqueue(owner, "hello");
        fixture.llm.then(new Answer("fine", 10_000, 10));
        assertThat(performOne()).isEqualTo(1);
        assertThat(run(owner, second).status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(fixture.count("SELECT held_points FROM agent_run WHERE id = ?", second.taskId()))
                .as("raised at claim")
                .isGreaterThan(hold);
        assertBooksBalance(owner);
    }

    @Test
    void negativeUsageIsAProviderErrorNeverACredit() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        RunAccepted task = fixture.enqueue(owner, "hello");
        fixture.llm.then(new Answer("free points", -100_000, 5));

        assertThat(performOne()).isEqualTo(1);

        RunView view = run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.FAILED);
        assertThat(view.error()).contains("prompt_tokens -100000");
        assertThat(account(owner))
                .extracting(PointsAccountView::balance, PointsAccountView::held)
                .containsExactly(100L, 0L);
        assertThat(fixture.count(
                        "SELECT count(*) FROM points_ledger WHERE owner_id = ? AND amount > 0 AND"
                                + " reference_type = 'agent_run'",
                        owner.user().id()))
                .isZero();
        assertBooksBalance(owner);
    }

    @Test
    void usageThatIsMissingOrNotWholeIsAProviderError() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        String[] usages = {
            "{}",
            "{\"prompt_tokens\": 1.5, \"completion_tokens\": 1}",
            "{\"prompt_tokens\": \"10\", \"completion_tokens\": 1}"
        };
        for (String usage : usages) {
            RunAccepted task = fixture.enqueue(owner, "hello " + usage.length());
            fixture.llm.then(new Failure(
                    200,
                    "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                            + "\"content\":\"x\"}}],\"usage\":" + usage + "}"));

            assertThat(performOne()).isEqualTo(1);

            RunView view = run(owner, task);
            assertThat(view.status()).as(usage).isEqualTo(RunStatus.FAILED);
            assertThat(view.chargedPoints()).as(usage).isNull();
        }
        assertThat(account(owner))
                .extracting(PointsAccountView::balance, PointsAccountView::held)
                .containsExactly(1_000L, 0L);
        assertBooksBalance(owner);
    }

    @Test
    void usageBeyondWhatTheHoldAllowedForIsChargedAtTheHoldNeverFromTheOwnersOtherPoints() throws Exception {
        long points = 1_000_000;
        RunFixture.Owner owner = fixture.owner(points);
        double cappedBefore = counter("eryao.runs.charge.capped");
        double unchargedBefore = counter("eryao.runs.uncharged.points");
        // A provider counting far more prompt than was sent (beyond the window, too), or more answer than max_tokens.
        Answer[] answers = {new Answer("x", 3_000_000, 1), new Answer("x", 10, 900_000)};
        long charged = 0;
        long uncharged = 0;
        for (Answer answer : answers) {
            RunAccepted task = fixture.enqueue(owner, "hi");
            fixture.llm.then(answer);

            assertThat(performOne()).isEqualTo(1);

            RunView view = run(owner, task);
            long held = fixture.count("SELECT held_points FROM agent_run WHERE id = ?", task.taskId());
            assertThat(view.status()).as("the answer is kept").isEqualTo(RunStatus.SUCCEEDED);
            assertThat(view.chargedPoints())
                    .as("charged at the hold")
                    .isEqualTo(held)
                    .isEqualTo(holdFor("hi"));
            assertThat(view.costPoints())
                    .as("the reported usage's price, for the administrator")
                    .isGreaterThan(held);
            assertThat(view.chargeCapped()).isTrue();
            charged += view.chargedPoints();
            uncharged += view.costPoints() - view.chargedPoints();
        }
        assertThat(account(owner))
                .extracting(PointsAccountView::balance, PointsAccountView::held)
                .containsExactly(points - charged, 0L);
        assertThat(counter("eryao.runs.charge.capped") - cappedBefore).isEqualTo(2);
        assertThat(counter("eryao.runs.uncharged.points") - unchargedBefore).isEqualTo(uncharged);
        assertBooksBalance(owner);
    }

    @Test
    void anHonestProvidersOwnTemplateTokensNeverFailARunOfAModelWithNoWindow() throws Exception {
        UUID factoryId = fixture.app.catalog().listFactories().stream()
                .filter(factory -> factory.name().equals(fixture.factoryName))
                .findFirst()
                .orElseThrow()
                .id();
        UUID model = fixture.app
                .catalog()
                .createModel(new ModelDraft(
                        factoryId,
                        "llama3.2",
                        "Llama (no window)",
                        fixture.llm.url(),
                        RunFixture.INPUT_PRICE,
                        RunFixture.OUTPUT_PRICE,
                        null,
                        true))
                .id();
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.app.sessions().update(owner.user(), owner.sessionId(), null, model);
        RunAccepted task = fixture.enqueue(owner, "hi");
        // Llama 3's template in Ollama: a system header of its own, then a header around each message.
        fixture.llm.then(new TemplateCounted("Hello! How can I help?", 26));

        assertThat(performOne()).isEqualTo(1);

        RunView view = run(owner, task);
        assertThat(view.inputTokens())
                .as("more than the bound of what was sent")
                .isGreaterThan((int) RunPrice.promptTokenBound(List.of("hi")));
        assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(view.output()).isEqualTo("Hello! How can I help?");
        assertThat(view.chargedPoints()).isEqualTo(view.costPoints()).isPositive();
        assertBooksBalance(owner);
    }

    private double counter(String name) {
        var counter = fixture.app.metrics().find(name).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aNulInTheModelsAnswerIsReplacedAndTheRunRecordedAtOnce() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        RunAccepted task = fixture.enqueue(owner, "hello");
        fixture.llm.then(new Answer("before\u0000after", 10, 5));

        assertThat(performOne()).isEqualTo(1);

        RunView view = run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(view.attempts()).isEqualTo(1);
        assertThat(view.output()).isEqualTo("before\uFFFDafter");
        assertThat(fixture.strings(
                        "SELECT content FROM agent_chat_message WHERE session_id = ? AND role = 'assistant'",
                        owner.sessionId()))
                .containsExactly("before\uFFFDafter");
        assertBooksBalance(owner);
    }

    @Test
    void aNulInAProvidersErrorIsReplacedToo() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        RunAccepted task = fixture.enqueue(owner, "hello");
        fixture.llm.then(new Failure(400, "{\"error\":\"bad \\u0000 thing\"}"));

        assertThat(performOne()).isEqualTo(1);

        assertThat(run(owner, task).status()).isEqualTo(RunStatus.FAILED);
        assertThat(account(owner).held()).isZero();
    }

    @Test
    void aFreeModelHoldsNothingAndChargesNothing() throws Exception {
        UUID factory = fixture.app
                .catalog()
                .createFactory("free-" + UUID.randomUUID().toString().substring(0, 8))
                .id();
        UUID free = fixture.app
                .catalog()
                .createModel(new dev.eryao.services.ModelDraft(
                        factory, "free", "Free", fixture.llm.url(), BigDecimal.ZERO, BigDecimal.ZERO, 1000, true))
                .id();
        RunFixture.Owner owner = fixture.owner(1);
        RunAccepted task = fixture.app.runs().enqueue(owner.user(), owner.sessionId(), "hi", free, null);
        assertThat(account(owner).held()).isZero();
        fixture.llm.then(new Answer("ok", 10, 5));

        assertThat(performOne()).isEqualTo(1);

        assertThat(run(owner, task).chargedPoints()).isZero();
        assertThat(account(owner).balance()).isEqualTo(1);
        assertBooksBalance(owner);
    }
}
