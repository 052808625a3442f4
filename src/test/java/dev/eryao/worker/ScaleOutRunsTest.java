package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.support.EventStream;
import dev.eryao.support.FakeLlmServer.Streamed;
import dev.eryao.support.ServeProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Scale-out with runs: two {@code serve} processes, each with its own worker, and two {@code eryao
 * worker} processes — four JVMs with four pools — share one database (through PgBouncer in
 * transaction mode under {@code bin/test-pooler}). Runs enqueued through both APIs are each
 * performed once and charged once, and the runs of one session one at a time, in the order they
 * were accepted, whichever process claims them.
 */
class ScaleOutRunsTest {
    private static final int RUNS = 60;
    /** The runs go to this many sessions, in turn: runs of different sessions run together. */
    private static final int SESSIONS = 6;

    private static final long WAIT_SECONDS = 180;
    private static final int POLL_MS = 50;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final RunFixture fixture = new RunFixture();
    private final List<ServeProcess> processes = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void close() {
        processes.forEach(ServeProcess::close);
        http.close();
        fixture.close();
    }

    @Test
    void twoServeProcessesAndTwoWorkersPerformEachRunOnceChargeItOnceAndStreamItToEitherApi() throws Exception {
        RunFixture.Owner owner = fixture.owner(10_000);
        processes.addAll(
                RunFixture.startProcesses(fixture.processVariables(2, POLL_MS), "serve", "serve", "worker", "worker"));
        String token = RunFixture.processToken(owner);
        List<java.util.UUID> sessions = fixture.sessions(owner, SESSIONS);
        List<ServeProcess> serves = processes.subList(0, 2);
        assertThat(new RunsFromManyClients(http, serves, token, Duration.ofSeconds(30))
                        .post(RUNS, 8, i -> sessions.get(i % SESSIONS), i -> "{\"input\":\"run " + i + "\"}"))
                .as("every run accepted")
                .isEqualTo(java.util.Map.of(202, RUNS));
        fixture.awaitFinished(RUNS, Duration.ofSeconds(WAIT_SECONDS));

        assertThat(fixture.count("SELECT count(*) FROM agent_run WHERE status = 'succeeded' AND attempts = 1"))
                .as(
                        "%s; runs that needed more: %s",
                        "each run performed at its first and only attempt",
                        fixture.strings(
                                "SELECT status || ' after ' || attempts || ': ' || coalesce(error, '') FROM agent_run WHERE attempts <> 1 OR status <> 'succeeded'"))
                .isEqualTo(RUNS);
        assertThat(fixture.llm.received()).as("one model call per run").hasSize(RUNS);
        // One at a time, in order: each run was sent every earlier question of its session *with its
        // answer* (alternating, nothing missing), so it was performed after each of them had been
        // answered and recorded — proved by what the model received, not by comparing the times
        // that different processes stamped (a claim's time is read before its statement runs).
        for (var request : fixture.llm.received()) {
            var messages = request.body().path("messages");
            String input = messages.get(messages.size() - 1).path("content").asText();
            List<String> questions = new ArrayList<>();
            for (int m = 0; m < messages.size(); m += 2) {
                questions.add(messages.get(m).path("content").asText());
            }
            List<String> expected = fixture.strings("""
                    SELECT e.input FROM agent_run r JOIN agent_run e ON e.session_id = r.session_id
                    WHERE r.input = ? AND (e.created_at, e.id) <= (r.created_at, r.id)
                    ORDER BY e.created_at, e.id""", input);
            assertThat(questions)
                    .as("%s is sent its session's earlier questions (with their answers), in order", input)
                    .isEqualTo(expected);
            assertThat(messages.size()).isEqualTo(2 * expected.size() - 1);
        }
        assertThat(fixture.count(
                        "SELECT count(DISTINCT reference_id) FROM points_ledger WHERE reference_type = 'agent_run'"))
                .isEqualTo(RUNS);
        assertThat(fixture.count("SELECT count(*) FROM points_ledger WHERE reference_type = 'agent_run'"))
                .isEqualTo(RUNS);
        assertThat(fixture.count(
                        "SELECT coalesce(sum(amount), 0) FROM points_ledger WHERE owner_id = ?",
                        owner.user().id()))
                .as("the ledger sums to the balance")
                .isEqualTo(fixture.app.points().balance(owner.user().id()));
        assertThat(fixture.strings("SELECT DISTINCT split_part(split_part(leased_by, '/', 1), '@', 1) FROM agent_run"))
                .as("worker ids are cleared when runs finish")
                .containsOnlyNulls();

        streamsReachEitherApiAndCancelsReachEitherWorker(owner, token);
    }

    /**
     * A run performed by a worker in some other process streams to the API it was not enqueued
     * on, as the model writes; a cancel sent to one API stops the run in whichever process
     * performs it, and the other API's stream ends with it.
     */
    private void streamsReachEitherApiAndCancelsReachEitherWorker(RunFixture.Owner owner, String token)
            throws Exception {
        List<String> pieces = List.of("Across ", "pro", "cesses.");
        CountDownLatch rest = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        fixture.llm.then(
                new Streamed(pieces, Duration.ofMillis(5), 100, 3, rest),
                new Streamed(pieces, Duration.ofMillis(5), null, null, never));
        try {
            String streamed = enqueue(processes.get(0), owner, token, "streamed");
            try (EventStream stream = EventStream.open(base(processes.get(1)), streamed, token, null)) {
                EventStream.Event first = stream.until(event -> event.name().equals("delta"), WAIT)
                        .getLast();
                assertThat(first.json().path("text").asText()).isEqualTo("Across ");
                assertThat(fixture.count(
                                "SELECT count(*) FROM agent_run WHERE id = ? AND status = 'running'",
                                java.util.UUID.fromString(streamed)))
                        .as("streamed before the run ends")
                        .isEqualTo(1);
                rest.countDown();
                List<EventStream.Event> events = stream.until(EventStream.status("succeeded"), WAIT);
                assertThat(first.json().path("text").asText()
                                + events.stream()
                                        .filter(event -> event.name().equals("delta"))
                                        .map(event -> event.json().path("text").asText())
                                        .collect(java.util.stream.Collectors.joining()))
                        .isEqualTo(String.join("", pieces));
            }

            String stopped = enqueue(processes.get(1), owner, token, "stopped");
            try (EventStream stream = EventStream.open(base(processes.get(1)), stopped, token, null)) {
                stream.until(event -> event.name().equals("delta"), WAIT);
                HttpResponse<String> cancel = http.send(
                        HttpRequest.newBuilder(
                                        URI.create(base(processes.get(0)) + "/v1/agent/runs/" + stopped + "/cancel"))
                                .header("Authorization", "Bearer " + token)
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(cancel.statusCode()).as(cancel.body()).isIn(200, 202);
                assertThat(stream.until(EventStream.status("cancelled"), WAIT)
                                .getLast()
                                .json()
                                .path("output")
                                .asText())
                        .isEqualTo("Across ");
            }
        } finally {
            rest.countDown();
            never.countDown();
        }
    }

    private String enqueue(ServeProcess api, RunFixture.Owner owner, String token, String input) throws Exception {
        HttpResponse<String> accepted = http.send(
                HttpRequest.newBuilder(URI.create(base(api) + "/v1/agent/sessions/" + owner.sessionId() + "/runs"))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"" + input + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(accepted.body())
                .path("task_id")
                .asText();
    }

    private static String base(ServeProcess process) {
        return "http://127.0.0.1:" + process.port();
    }
}
