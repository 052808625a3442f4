package dev.eryao.worker;

import static dev.eryao.support.EventStream.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.models.RunStatus;
import dev.eryao.services.RunView;
import dev.eryao.support.EventStream;
import dev.eryao.support.EventStream.Event;
import dev.eryao.support.FakeLlmServer.StreamThenDie;
import dev.eryao.support.FakeLlmServer.Streamed;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Over real HTTP, with a model on loopback that streams its answer in spaced chunks: the answer
 * reaches the run's event stream as it is written, late and reconnecting clients get what they
 * missed, runs can be stopped, and deleting a session stops its runs.
 */
class RunStreamsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> PIECES = List.of("Hel", "lo, ", "str", "eam", "ing ", "world.");

    private final RunFixture fixture = new RunFixture();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private FixtureApi api;

    @BeforeEach
    void apiOverTheFixture() {
        api = FixtureApi.start(fixture);
    }

    @AfterEach
    void close() {
        background.shutdownNow();
        http.close();
        fixture.close();
    }

    @Test
    void theAnswerReachesTheStreamWhileTheModelIsStillWritingAndAddsUpToTheStoredOutput() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        CountDownLatch rest = new CountDownLatch(1);
        fixture.llm.then(new Streamed(PIECES, Duration.ofMillis(5), 100, 6, rest));
        String run = enqueue(owner, "hello");

        try (EventStream stream = api.openRun(owner, run, null);
                Worker worker = fixture.worker(1, 3)) {
            Future<Integer> performing = background.submit(worker::performDue);
            Event first =
                    stream.until(event -> event.name().equals("delta"), WAIT).getLast();

            assertThat(first.json().path("text").asText()).isEqualTo("Hel");
            assertThat(first.id()).isEqualTo("1.0");
            assertThat(get(owner, run).path("status").asText())
                    .as("the first piece arrives while the model still holds the rest")
                    .isEqualTo("running");

            rest.countDown();
            List<Event> events = stream.until(status("succeeded"), WAIT);
            assertThat(performing.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            String streamed = "Hel" + texts(events);
            assertThat(streamed).isEqualTo(String.join("", PIECES));
            assertThat(events.getLast().json().path("output").asText()).isEqualTo(streamed);
            assertThat(events.getLast().json().path("usage_estimated").asBoolean())
                    .isFalse();
            assertThat(events.getLast().json().path("output_tokens").asInt()).isEqualTo(6);
            assertThat(stream.ends(WAIT))
                    .as("the stream ends after the final status")
                    .isTrue();
        }
        assertThat(fixture.count(
                        "SELECT count(*) FROM agent_chat_message WHERE session_id = ? AND role = 'assistant'",
                        owner.sessionId()))
                .isEqualTo(1);
        assertThat(fixture.count("SELECT count(*) FROM points_ledger WHERE reference_id = ?", UUID.fromString(run)))
                .isEqualTo(1);
    }

    @Test
    void aLateClientGetsTheWholeAnswerAndAReconnectGetsOnlyWhatItMissedInOrder() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        fixture.llm.then(new Streamed(PIECES, Duration.ofMillis(2), 100, 6));
        String run = enqueue(owner, "hello");
        try (Worker worker = fixture.worker(1, 3)) {
            worker.performDue();
        }

        List<Event> late;
        try (EventStream stream = api.openRun(owner, run, null)) {
            late = stream.until(status("succeeded"), WAIT);
        }
        List<Event> pieces = late.stream().filter(e -> e.name().equals("delta")).toList();
        assertThat(texts(late)).isEqualTo(String.join("", PIECES));
        assertThat(pieces)
                .extracting(e -> e.json().path("index").asInt())
                .as("numbered without gaps or repeats")
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, pieces.size())
                        .boxed()
                        .toList());

        Event resumeAfter = pieces.getFirst();
        List<Event> resumed;
        try (EventStream stream = api.openRun(owner, run, resumeAfter.id())) {
            resumed = stream.until(status("succeeded"), WAIT);
        }
        assertThat(resumed.stream()
                        .filter(e -> e.name().equals("delta"))
                        .map(Event::id)
                        .toList())
                .containsExactlyElementsOf(
                        pieces.subList(1, pieces.size()).stream().map(Event::id).toList());
        assertThat(resumeAfter.json().path("text").asText() + texts(resumed)).isEqualTo(String.join("", PIECES));
    }

    @Test
    void anotherOwnersRunHasNoEventsJustA404Problem() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        String run = enqueue(owner, "hello");

        HttpResponse<String> foreign = http.send(
                request("/v1/agent/runs/" + run + "/events", UUID.randomUUID())
                        .header("Accept", "text/event-stream")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(foreign.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    void askingForTheStreamWithoutAcceptingEventsIsA406Problem() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        String run = enqueue(owner, "hello");

        HttpResponse<String> plain = http.send(
                request("/v1/agent/runs/" + run + "/events", owner).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(plain.statusCode()).isEqualTo(406);
        assertThat(plain.body()).contains("Accept: text/event-stream");
    }

    @Test
    void aBadLastEventIdIsA422ProblemBeforeTheStreamOpens() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        String run = enqueue(owner, "hello");

        HttpResponse<String> response = http.send(
                request("/v1/agent/runs/" + run + "/events", owner)
                        .header("Accept", "text/event-stream")
                        .header("Last-Event-ID", "7;drop table")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.body()).contains("Last-Event-ID");
    }

    @Test
    void cancellingAQueuedRunCancelsItAtOnceForFreeAndRepeatingItIsHarmless() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        String run = enqueue(owner, "hello");
        assertThat(fixture.app.points().account(owner.user().id()).held()).isPositive();

        try (EventStream stream = api.openRun(owner, run, null)) {
            HttpResponse<String> cancelled = cancel(owner, run);
            HttpResponse<String> again = cancel(owner, run);

            assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
            assertThat(JSON.readTree(cancelled.body()).path("status").asText()).isEqualTo("cancelled");
            assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
            assertThat(stream.until(status("cancelled"), WAIT)
                            .getLast()
                            .json()
                            .path("error")
                            .asText())
                    .contains("cancelled");
            assertThat(stream.ends(WAIT)).isTrue();
        }
        try (Worker worker = fixture.worker(1, 3)) {
            assertThat(worker.performDue())
                    .as("a cancelled run is never claimed")
                    .isZero();
        }
        assertThat(fixture.llm.received()).isEmpty();
        assertThat(fixture.app.points().account(owner.user().id()))
                .extracting(a -> a.balance(), a -> a.held())
                .containsExactly(100L, 0L);
        assertThat(fixture.count("SELECT count(*) FROM points_ledger WHERE reference_id = ?", UUID.fromString(run)))
                .isZero();
    }

    @Test
    void cancellingARunMidAnswerStopsTheModelKeepsTheTextMarkedStoppedAndChargesWhatWasUsedOnce() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        CountDownLatch never = new CountDownLatch(1);
        // No usage chunk: what was used is estimated (the prompt's bound and the bytes written).
        fixture.llm.then(new Streamed(PIECES, Duration.ofMillis(5), null, null, never));
        String run = enqueue(owner, "hello");

        try (EventStream stream = api.openRun(owner, run, null);
                Worker worker = fixture.worker(1, 3)) {
            Future<Integer> performing = background.submit(worker::performDue);
            stream.until(event -> event.name().equals("delta"), WAIT);

            HttpResponse<String> stopping = cancel(owner, run);
            assertThat(stopping.statusCode()).as(stopping.body()).isIn(200, 202);

            Event last = stream.until(status("cancelled"), WAIT).getLast();
            assertThat(performing.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            // The model writes again only now, into the connection the worker closed when it stopped.
            never.countDown();
            assertThat(fixture.llm.awaitClientClosedStream(30))
                    .as("the model's connection was closed")
                    .isTrue();
            assertThat(last.json().path("output").asText()).isEqualTo("Hel");
            assertThat(last.json().path("charged_points").asLong()).isPositive();
            assertThat(last.json().path("usage_estimated").asBoolean())
                    .as("the provider sent no usage")
                    .isTrue();
            assertThat(last.json().path("output_tokens").asInt())
                    .as("the bytes written")
                    .isEqualTo(3);
            assertThat(stream.ends(WAIT)).isTrue();
        } finally {
            never.countDown();
        }
        RunView view = fixture.app.runs().get(owner.user(), UUID.fromString(run));
        assertThat(fixture.count(
                        "SELECT count(*) FROM agent_chat_message WHERE session_id = ? AND role = 'assistant'"
                                + " AND stopped AND content = 'Hel'",
                        owner.sessionId()))
                .isEqualTo(1);
        assertThat(fixture.count(
                        "SELECT count(*) FROM points_ledger WHERE reference_id = ? AND amount = ?",
                        UUID.fromString(run),
                        -view.chargedPoints()))
                .isEqualTo(1);
        assertThat(fixture.app.points().account(owner.user().id()))
                .extracting(a -> a.balance(), a -> a.held())
                .containsExactly(100L - view.chargedPoints(), 0L);
        assertThat(cancel(owner, run).statusCode())
                .as("repeating it is harmless")
                .isEqualTo(200);
    }

    @Test
    void cancellingAFinishedRunIsA409AndChangesNothing() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        String run = enqueue(owner, "hello");
        try (Worker worker = fixture.worker(1, 3)) {
            worker.performDue();
        }
        long balance = fixture.app.points().balance(owner.user().id());

        HttpResponse<String> late = cancel(owner, run);

        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(late.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(get(owner, run).path("status").asText()).isEqualTo("succeeded");
        assertThat(fixture.app.points().balance(owner.user().id())).isEqualTo(balance);
        assertThat(cancel(UUID.randomUUID(), run).statusCode())
                .as("another owner's run is not found")
                .isEqualTo(404);
    }

    @Test
    void cancelsRacingTheRunsOwnCompletionEndEachRunOnceAndChargeItAtMostOnce() throws Exception {
        RunFixture.Owner owner = fixture.owner(10_000);
        fixture.llm.byDefault(new Streamed(List.of("a", "b", "c"), Duration.ofMillis(1), 100, 3));
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            runs.add(enqueue(owner, "race " + i));
        }
        try (Worker worker = fixture.worker(3, 3)) {
            worker.start();
            List<Future<HttpResponse<String>>> cancels = new ArrayList<>();
            for (String run : runs) {
                cancels.add(background.submit(() -> cancel(owner, run)));
            }
            for (Future<HttpResponse<String>> answer : cancels) {
                assertThat(answer.get(30, TimeUnit.SECONDS).statusCode()).isIn(200, 202, 409);
            }
            fixture.awaitEnded(runs.size(), WAIT);
        }

        long charged = 0;
        for (String run : runs) {
            RunView view = fixture.app.runs().get(owner.user(), UUID.fromString(run));
            assertThat(view.status()).isIn(RunStatus.SUCCEEDED, RunStatus.CANCELLED);
            long ledger = fixture.count(
                    "SELECT coalesce(-sum(amount), 0) FROM points_ledger WHERE reference_id = ?", UUID.fromString(run));
            assertThat(fixture.count("SELECT count(*) FROM points_ledger WHERE reference_id = ?", UUID.fromString(run)))
                    .isLessThanOrEqualTo(1);
            assertThat(ledger).isEqualTo(view.chargedPoints() == null ? 0 : view.chargedPoints());
            charged += ledger;
        }
        assertThat(fixture.app.points().account(owner.user().id()))
                .extracting(a -> a.balance(), a -> a.held())
                .containsExactly(10_000L - charged, 0L);
    }

    @Test
    void deletingASessionCancelsItsQueuedRunsAndStopsItsRunningOne() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        CountDownLatch never = new CountDownLatch(1);
        fixture.llm.then(new Streamed(PIECES, Duration.ofMillis(5), null, null, never));
        String running = enqueue(owner, "first");
        try (EventStream stream = api.openRun(owner, running, null);
                Worker worker = fixture.worker(1, 3)) {
            Future<Integer> performing = background.submit(() -> performOne(worker));
            stream.until(event -> event.name().equals("delta"), WAIT);
            String queued = enqueue(owner, "second");

            HttpResponse<String> deleted = http.send(
                    request("/v1/agent/sessions/" + owner.sessionId(), owner)
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
            RunView queuedView = fixture.app.runs().get(owner.user(), UUID.fromString(queued));
            assertThat(queuedView.status())
                    .as("cancelled in the delete's own transaction")
                    .isEqualTo(RunStatus.CANCELLED);
            assertThat(queuedView.chargedPoints()).isNull();

            assertThat(stream.until(status("cancelled"), WAIT)
                            .getLast()
                            .json()
                            .path("output")
                            .asText())
                    .isEqualTo("Hel");
            assertThat(performing.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(worker.performDue())
                    .as("nothing of the deleted session is left to claim")
                    .isZero();
        } finally {
            never.countDown();
        }
        assertThat(fixture.llm.received()).hasSize(1);
        assertThat(fixture.app.points().account(owner.user().id()).held()).isZero();
    }

    @Test
    void aQueuedRunOfADeletedSessionIsNeverClaimedAndTheRescuerCancelsIt() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        String run = enqueue(owner, "hello");
        // As if the run had been queued just as the session was deleted: the delete's own
        // cancellation never saw it.
        fixture.execute("UPDATE agent_chat_session SET deleted_at = now() WHERE id = ?", owner.sessionId());

        try (Worker worker = fixture.worker(1, 3)) {
            assertThat(worker.performDue()).isZero();
            assertThat(worker.rescueOnce()).isEqualTo(1);
        }
        assertThat(fixture.count(
                        "SELECT count(*) FROM agent_run WHERE id = ? AND status = 'cancelled'", UUID.fromString(run)))
                .isEqualTo(1);
        assertThat(fixture.llm.received()).isEmpty();
        assertThat(fixture.app.points().account(owner.user().id()))
                .extracting(a -> a.balance(), a -> a.held())
                .containsExactly(100L, 0L);
    }

    @Test
    void aModelThatDiesMidAnswerIsRetriedAndOnlyTheRetrysAnswerIsStoredAndStreamed() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        fixture.llm.then(
                new StreamThenDie(List.of("Half an ", "answer"), Duration.ofMillis(2)),
                new Streamed(PIECES, Duration.ofMillis(2), 100, 6));
        String run = enqueue(owner, "hello");

        try (Worker worker = fixture.worker(1, 3)) {
            worker.performDue();
            assertThat(get(owner, run).path("status").asText()).isEqualTo("queued");
            fixture.clock.advance(Duration.ofMinutes(5));
            worker.performDue();
        }

        List<Event> events;
        try (EventStream stream = api.openRun(owner, run, null)) {
            events = stream.until(status("succeeded"), WAIT);
        }
        assertThat(texts(events)).isEqualTo(String.join("", PIECES));
        assertThat(events.stream().filter(e -> e.name().equals("delta")).map(Event::id))
                .allMatch(id -> id.startsWith("2."));
        assertThat(fixture.count(
                        "SELECT count(*) FROM agent_chat_message WHERE session_id = ? AND role = 'assistant'",
                        owner.sessionId()))
                .isEqualTo(1);
        assertThat(fixture.count("SELECT count(*) FROM points_ledger WHERE reference_id = ?", UUID.fromString(run)))
                .isEqualTo(1);
    }

    /** Performs the one run due, even when it takes a while to be claimable. */
    private static int performOne(Worker worker) {
        return worker.performDue();
    }

    private static String texts(List<Event> events) {
        return events.stream()
                .filter(e -> e.name().equals("delta"))
                .map(e -> e.json().path("text").asText())
                .collect(Collectors.joining());
    }

    private String enqueue(RunFixture.Owner owner, String input) throws Exception {
        HttpResponse<String> accepted = http.send(
                request("/v1/agent/sessions/" + owner.sessionId() + "/runs", owner)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                JSON.writeValueAsString(java.util.Map.of("input", input))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return JSON.readTree(accepted.body()).path("task_id").asText();
    }

    private JsonNode get(RunFixture.Owner owner, String run) throws Exception {
        return JSON.readTree(
                http.send(request("/v1/agent/runs/" + run, owner).GET().build(), HttpResponse.BodyHandlers.ofString())
                        .body());
    }

    private HttpResponse<String> cancel(RunFixture.Owner owner, String run) throws Exception {
        return cancel(owner.user().id(), run);
    }

    private HttpResponse<String> cancel(UUID owner, String run) throws Exception {
        return http.send(
                request("/v1/agent/runs/" + run + "/cancel", owner)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path, RunFixture.Owner owner) {
        return request(path, owner.user().id());
    }

    private HttpRequest.Builder request(String path, UUID owner) {
        return HttpRequest.newBuilder(URI.create(api.base() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + FixtureApi.token(owner));
    }
}
