package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.models.RunStatus;
import dev.eryao.provider.ToolCall;
import dev.eryao.services.ModelDraft;
import dev.eryao.services.PointsService;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunPrice;
import dev.eryao.services.RunView;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.CallsTools;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The messages sent fit the model's window with room for the answer; an input that cannot fit fails free. */
class ContextFitTest {
    /** Half of it is kept for the answer, so the prompt may take 100 tokens by the hold's bound. */
    private static final int WINDOW = 200;

    private final RunFixture fixture = new RunFixture();
    private CurrentUser owner;
    private UUID session;

    @BeforeEach
    void aSessionOnASmallModel() {
        fixture.llm.byDefault(new Answer("ok", 10, 1));
        UUID factory = fixture.app
                .catalog()
                .createFactory("small-" + UUID.randomUUID())
                .id();
        UUID model = fixture.app
                .catalog()
                .createModel(new ModelDraft(
                        factory,
                        "small",
                        "Small window",
                        fixture.llm.url(),
                        BigDecimal.ONE,
                        BigDecimal.ONE,
                        WINDOW,
                        true))
                .id();
        owner = new CurrentUser(UUID.randomUUID(), CurrentUser.AUTHENTICATED);
        fixture.app.points().grant(new PointsService.Change(owner.id(), 100, "test grant", null, null, null));
        session = fixture.app.sessions().create(owner, "small", model).id();
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void theNewestMessagesThatFitAreSentOldestDroppedFirstAndTheInputIsNeverCut() throws Exception {
        List<String> said = new ArrayList<>();
        try (Worker worker = fixture.worker(1, 3)) {
            for (int i = 0; i < 8; i++) {
                String input = "question " + i;
                fixture.app.runs().enqueue(owner, session, input, null, null);
                worker.performDue();
                said.add(input);
                said.add("ok");
            }
            fixture.app.runs().enqueue(owner, session, "the last question", null, null);
            worker.performDue();
        }

        List<String> sent =
                fixture.llm.received().getLast().body().path("messages").findValuesAsText("content");
        assertThat(sent.getLast()).isEqualTo("the last question");
        List<String> earlier = sent.subList(0, sent.size() - 1);
        assertThat(earlier).as("some history fits, not all of it").isNotEmpty().hasSizeLessThan(said.size());
        assertThat(said)
                .as("what is sent is the newest part of the conversation, in order")
                .endsWith(earlier.toArray(String[]::new));
        assertThat(earlier).doesNotContain("question 0");
        assertThat(RunPrice.promptTokenBound(sent))
                .as("the prompt's bound fits the window less the answer's room")
                .isLessThanOrEqualTo(WINDOW - WINDOW / 2);
        String nextOlder = said.get(said.size() - earlier.size() - 1);
        assertThat(RunPrice.promptTokenBound(sent)
                        + nextOlder.getBytes(StandardCharsets.UTF_8).length
                        + RunPrice.TOKENS_PER_MESSAGE)
                .as("the next older message would not have fit")
                .isGreaterThan(WINDOW - WINDOW / 2);
        assertThat(fixture.llm.received().getLast().body().path("max_tokens").asInt())
                .isEqualTo(WINDOW / 2);
    }

    @Test
    void anAnswersToolCallsAndResultsAreCountedWithItAndDroppedWithItAsAWhole() throws Exception {
        fixture.llm.then(
                new CallsTools(List.of(new ToolCall("call_1", "t", "{}")), 10, 1),
                new Answer("ok", 10, 1),
                new Answer("ok", 10, 1),
                new Answer("ok", 10, 1));
        try (Worker worker = fixture.worker(1, 3)) {
            fixture.app.runs().enqueue(owner, session, "tool?", null, null);
            worker.performDue();
            fixture.app.runs().enqueue(owner, session, "q", null, null);
            worker.performDue();
            fixture.app.runs().enqueue(owner, session, "the last question", null, null);
            worker.performDue();
        }
        long room = WINDOW - WINDOW / 2;

        JsonNode second = fixture.llm.received().get(2).body().path("messages");
        assertThat(second)
                .as("the first answer fits with its tool messages (its question does not): all of them are sent")
                .extracting(
                        m -> m.path("role").asText(),
                        m -> m.path("tool_call_id").asText(""))
                .containsExactly(
                        tuple("assistant", ""), tuple("tool", "call_1"), tuple("assistant", ""), tuple("user", ""));
        assertThat(second.get(0).path("tool_calls").path(0).path("id").asText()).isEqualTo("call_1");
        assertThat(second.get(2).path("content").asText()).isEqualTo("ok");
        assertThat(second.get(3).path("content").asText()).isEqualTo("q");

        JsonNode last = fixture.llm.received().get(3).body().path("messages");
        List<String> sent = last.findValuesAsText("content");
        assertThat(sent)
                .as("the first answer and its tool messages no longer fit: none of them is sent")
                .containsExactly("q", "ok", "the last question");
        assertThat(last).extracting(m -> m.path("role").asText()).containsExactly("user", "assistant", "user");
        long withTheAnswerAlone = RunPrice.promptTokenBound(sent) + "ok".length() + RunPrice.TOKENS_PER_MESSAGE;
        assertThat(withTheAnswerAlone)
                .as("the answer alone would have fit: it was dropped for its tool messages")
                .isLessThanOrEqualTo(room);
    }

    @Test
    void anInputThatCannotFitTheWindowFailsBeforeAnyModelCallAndCostsNothing() throws Exception {
        RunAccepted task = fixture.app.runs().enqueue(owner, session, "x".repeat(120), null, null);

        try (Worker worker = fixture.worker(1, 3)) {
            worker.performDue();
        }

        RunView run = fixture.app.runs().get(owner, task.taskId());
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).contains("does not fit the model's context window");
        assertThat(run.attempts()).as("not retried").isEqualTo(1);
        assertThat(fixture.llm.received()).isEmpty();
        assertThat(fixture.app.points().account(owner.id()))
                .extracting(a -> a.balance(), a -> a.held())
                .containsExactly(100L, 0L);
    }
}
