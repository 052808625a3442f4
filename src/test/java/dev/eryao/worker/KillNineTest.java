package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.auth.TokenIssuer;
import dev.eryao.core.config.LlmSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.Stall;
import dev.eryao.support.ServeProcess;
import dev.eryao.support.TestKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Crashes lose nothing: {@code kill -9} of a process in the middle of its work, then a fresh one.
 * Every run the API accepted is performed and charged exactly once, and a run whose worker died
 * while the model was answering is taken again once its lease expires.
 */
class KillNineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_SECONDS = 120;
    private static final int CLIENTS = 4;
    /** Runs accepted before the kill, so it lands mid-stream. */
    private static final int ACCEPTED_BEFORE_KILL = 40;

    private final RunFixture fixture = new RunFixture();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ServeProcess process;

    @AfterEach
    void close() {
        if (process != null) {
            process.close();
        }
        http.close();
        fixture.close();
    }

    /** A short lease (and an LLM timeout under it), so a killed worker's run is taken back soon. */
    private Map<String, String> variables() {
        Map<String, String> variables = new HashMap<>(ServeProcess.variables(fixture.database.settings()));
        variables.put("ERYAO_WORKER__CONCURRENCY", "2");
        variables.put("ERYAO_WORKER__POLL_INTERVAL_MS", "50");
        variables.put("ERYAO_WORKER__LEASE_SECONDS", "5");
        variables.put("ERYAO_LLM__TIMEOUT_SECONDS", "3");
        variables.put("ERYAO_LLM__" + LlmSettings.variablePart(fixture.factoryName) + "__API_KEY", RunFixture.API_KEY);
        return variables;
    }

    @Test
    void aWorkerKilledWhileTheModelAnswersLosesItsLeaseAndTheRunCompletesOnceChargedOnce() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        CountDownLatch never = new CountDownLatch(1);
        fixture.llm.then(new Stall(never, new Answer("never delivered", 1, 1)));
        UUID task = fixture.enqueue(owner, "hello").taskId();
        process = ServeProcess.start("worker", variables());
        assertThat(fixture.llm.awaitFirstRequest(60))
                .as("the worker is waiting for the model")
                .isTrue();

        process.kill();
        process = ServeProcess.start("worker", variables());
        fixture.awaitFinished(1, Duration.ofSeconds(WAIT_SECONDS));
        never.countDown();

        assertThat(fixture.strings("SELECT status || ' ' || attempts FROM agent_run WHERE id = ?", task))
                .containsExactly("succeeded 2");
        assertThat(fixture.count("SELECT count(*) FROM points_ledger WHERE reference_id = ?", task))
                .isEqualTo(1);
        assertThat(fixture.count("SELECT count(*) FROM agent_chat_message WHERE role = 'assistant'"))
                .isEqualTo(1);
    }

    @Test
    void serveKilledDuringAStreamOfEnqueuesLosesNoAcceptedRunAndPerformsEachOnce() throws Exception {
        RunFixture.Owner owner = fixture.owner(100_000);
        String token = new TokenIssuer(Secret.of(TestKeys.HS256_SECRET), null)
                .sign(owner.user().id(), "authenticated", Duration.ofHours(1), Instant.now());
        process = ServeProcess.start("serve", variables());
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        AtomicInteger unanswered = new AtomicInteger();
        AtomicBoolean streaming = new AtomicBoolean(true);
        int port = process.port();
        try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
            for (int c = 0; c < CLIENTS; c++) {
                clients.submit(() -> {
                    while (streaming.get()) {
                        enqueue(port, owner, token, unanswered).ifPresent(accepted::add);
                    }
                    return null;
                });
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (accepted.size() < ACCEPTED_BEFORE_KILL && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            if (accepted.size() < ACCEPTED_BEFORE_KILL) {
                streaming.set(false);
                fail(
                        "only %d of %d runs were accepted within %d s; serve's output: %s",
                        accepted.size(), ACCEPTED_BEFORE_KILL, WAIT_SECONDS, process.output());
            }
            process.kill(); // mid-stream: requests in flight get no answer and count as not accepted
            streaming.set(false);
        }
        process = ServeProcess.start("serve", variables());
        fixture.awaitFinished(fixture.count("SELECT count(*) FROM agent_run"), Duration.ofSeconds(WAIT_SECONDS));

        // The clients saw a 202 for each run in `accepted`: every one of them is stored. A stored run
        // no client saw accepted can only be one whose request got no answer (the kill cut it off).
        List<String> stored = fixture.strings("SELECT id::text FROM agent_run");
        assertThat(accepted).hasSizeGreaterThanOrEqualTo(ACCEPTED_BEFORE_KILL);
        assertThat(stored).as("every 202 is in the database").containsAll(accepted);
        assertThat(stored.size() - accepted.size())
                .as("runs stored without their 202 reaching a client")
                .isBetween(0, unanswered.get());
        assertThat(fixture.count("SELECT count(*) FROM agent_run WHERE status = 'succeeded'"))
                .isEqualTo(stored.size());
        assertThat(fixture.count("SELECT count(*) FROM points_ledger WHERE reference_type = 'agent_run'"))
                .as("each run charged once")
                .isEqualTo(stored.size());
        assertThat(fixture.count(
                        "SELECT count(DISTINCT reference_id) FROM points_ledger WHERE reference_type = 'agent_run'"))
                .isEqualTo(stored.size());
        assertThat(fixture.count("SELECT count(*) FROM agent_chat_message WHERE role = 'assistant'"))
                .isEqualTo(stored.size());
    }

    /** The task id of a 202, or empty; a request that got no answer (the process died under it) is counted. */
    private java.util.Optional<String> enqueue(
            int port, RunFixture.Owner owner, String token, AtomicInteger unanswered) {
        try {
            HttpResponse<String> answer = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + port + "/v1/agent/sessions/" + owner.sessionId() + "/runs"))
                            .timeout(Duration.ofSeconds(5))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"stream\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 202
                    ? java.util.Optional.of(
                            JSON.readTree(answer.body()).path("task_id").asText())
                    : java.util.Optional.empty();
        } catch (Exception e) {
            unanswered.incrementAndGet();
            return java.util.Optional.empty();
        }
    }
}
