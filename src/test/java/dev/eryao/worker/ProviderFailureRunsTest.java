package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.config.LlmSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.models.RunStatus;
import dev.eryao.services.PointsAccountView;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunView;
import dev.eryao.support.FakeLlmServer.Failure;
import dev.eryao.support.FakeLlmServer.Flood;
import dev.eryao.support.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a run records when its provider misbehaves: a flood past the answer's bound fails the run at
 * once, free, its hold released; a key the HTTP client cannot send fails it without the key in its
 * error or the logs; and the error its owner reads names the model, while only the log line says
 * where the model is.
 */
class ProviderFailureRunsTest {
    private final RunFixture fixture = new RunFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private RunView run(RunFixture.Owner owner, RunAccepted task) {
        return fixture.app.runs().get(owner.user(), task.taskId());
    }

    private String modelName() {
        return fixture.factoryName + "/fake-model";
    }

    private static List<String> logsOfOnePass(Worker worker) {
        return LogCapture.during(worker::performDue);
    }

    @Test
    void aFloodPastTheAnswersBoundFailsTheRunAtOnceChargedNothingWithItsHoldReleased() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        RunAccepted task = fixture.enqueue(owner, "hello");
        fixture.llm.then(new Flood("flood ".repeat(170), 32L << 20, 10, 10));

        try (Worker worker = fixture.worker(1, 3)) {
            assertThat(worker.performDue()).isEqualTo(1);
        }

        RunView view = run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.FAILED);
        assertThat(view.attempts()).as("not retried").isEqualTo(1);
        assertThat(view.error())
                .contains(
                        "the answer of the model " + modelName(), "bytes of text", "ERYAO_LLM__ANSWER_BYTES_PER_TOKEN");
        assertThat(view.output()).isNull();
        assertThat(view.chargedPoints()).isNull();
        assertThat(fixture.app.points().account(owner.user().id()))
                .extracting(PointsAccountView::balance, PointsAccountView::held)
                .containsExactly(100L, 0L);
        assertThat(fixture.llm.awaitClientClosedStream(10))
                .as("the model's connection was closed")
                .isTrue();
    }

    @Test
    void aKeyTheHttpClientCannotSendFailsTheRunWithoutTheKeyInItsErrorOrTheLogs() throws Exception {
        String keyStart = "sk-live-51Hx";
        String keyEnd = "Zq8Wd3Rt6Yp9";
        RunFixture.Owner owner = fixture.owner(100);
        RunAccepted task = fixture.enqueue(owner, "hello");
        // Settings read from variables refuse such a key at start-up; these are built around that check.
        LlmSettings pasted = new LlmSettings(
                Duration.ofSeconds(30),
                Map.of(LlmSettings.variablePart(fixture.factoryName), Secret.of(keyStart + "\u200B" + keyEnd)));

        List<String> logs;
        try (Worker worker = fixture.app.worker(fixture.settings(1, 3), pasted, fixture.clock)) {
            logs = logsOfOnePass(worker);
        }

        RunView view = run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.FAILED);
        assertThat(view.attempts()).isEqualTo(1);
        assertThat(view.error())
                .contains(LlmSettings.keyVariable(fixture.factoryName), "U+200B")
                .doesNotContain(keyStart)
                .doesNotContain(keyEnd);
        assertThat(logs)
                .as("log lines")
                .isNotEmpty()
                .noneMatch(line -> line != null && (line.contains(keyStart) || line.contains(keyEnd)));
        assertThat(fixture.app.points().account(owner.user().id()).held()).isZero();
        assertThat(fixture.llm.received()).as("nothing was sent").isEmpty();
    }

    @Test
    void theOwnersErrorNamesTheModelAndOnlyTheLogLineSaysWhereItIs() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        RunAccepted task = fixture.enqueue(owner, "hello");
        fixture.llm.then(new Failure(401, "{\"error\":\"invalid api key\"}"));

        List<String> logs;
        try (Worker worker = fixture.worker(1, 3)) {
            logs = logsOfOnePass(worker);
        }

        assertThat(run(owner, task).error())
                .startsWith("the model " + modelName() + " answered 401")
                .doesNotContain(fixture.llm.url())
                .doesNotContain("127.0.0.1");
        assertThat(logs)
                .anySatisfy(line -> assertThat(line).contains("answered 401", "request_url " + fixture.llm.url()));
    }
}
