package dev.eryao.worker;

import static dev.eryao.support.EventStream.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.support.EventStream;
import dev.eryao.support.EventStream.Event;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.Received;
import dev.eryao.support.FakeLlmServer.Streamed;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session is one conversation, over real HTTP with a worker and a loopback model that records
 * what it is sent: a session's runs are performed one at a time, in order, each sent the chain of
 * messages that leads to its own question (by ids, never by text); the caller chooses what a new
 * run does while one is open; regenerate and edit make branches, and each branch's next run is
 * sent that branch only; a page finds a session's runs and follows them all on one stream.
 */
class ConversationsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final RunFixture fixture = new RunFixture();
    private final HttpClient http = HttpClient.newHttpClient();
    private FixtureApi api;
    private RunFixture.Owner owner;

    @BeforeEach
    void apiOverTheFixture() {
        api = FixtureApi.start(fixture);
        owner = fixture.owner(100_000);
    }

    @AfterEach
    void close() {
        http.close();
        fixture.close();
    }

    @Test
    void aMessageSentWhileTheFirstIsStreamedIsPerformedAfterItAndIsSentItsAnswer() throws Exception {
        CountDownLatch rest = new CountDownLatch(1);
        fixture.llm.then(
                new Streamed(List.of("first ", "answer"), Duration.ofMillis(1), 10, 2, rest),
                new Answer("second answer", 10, 2));
        try (Worker worker = fixture.worker(2, 1)) {
            worker.start();
            String first = accepted(send(owner, Map.of("input", "first question")));
            assertThat(fixture.llm.awaitFirstPieceSent(30)).isTrue();
            String second = accepted(send(owner, Map.of("input", "second question")));
            assertThat(run(second).path("status").asText())
                    .as("held back while the first runs, though a worker thread is free")
                    .isEqualTo("queued");
            rest.countDown();
            fixture.awaitEnded(2, WAIT);
            assertThat(run(first).path("status").asText()).isEqualTo("succeeded");
        }
        // Performed after the first had ended: it was sent the first's answer, which exists only once
        // the first has succeeded. (Not by comparing started_at with finished_at: each is the clock
        // of the thread that wrote it, read before its statement, so a claim's reading can precede
        // the commit it then sees by a thread's scheduling delay; CI once saw it.)
        assertThat(sent(1)).containsExactly("user: first question");
        assertThat(sent(2)).containsExactly("user: first question", "assistant: first answer", "user: second question");
        assertThat(texts(messages(owner, "")))
                .containsExactly(
                        "user: first question",
                        "assistant: first answer",
                        "user: second question",
                        "assistant: second answer");
    }

    @Test
    void threeQuestionsQueuedTogetherWithRepeatedTextsAreEachSentExactlyTheirOwnChain() throws Exception {
        fixture.llm.then(new Answer("answer 1", 10, 2), new Answer("answer 2", 10, 2), new Answer("answer 3", 10, 2));
        accepted(send(owner, Map.of("input", "same question")));
        accepted(send(owner, Map.of("input", "other question")));
        accepted(send(owner, Map.of("input", "same question")));
        try (Worker worker = fixture.worker(3, 1)) {
            worker.start();
            fixture.awaitEnded(3, WAIT);
        }

        assertThat(sent(1)).containsExactly("user: same question");
        assertThat(sent(2)).containsExactly("user: same question", "assistant: answer 1", "user: other question");
        assertThat(sent(3))
                .containsExactly(
                        "user: same question",
                        "assistant: answer 1",
                        "user: other question",
                        "assistant: answer 2",
                        "user: same question");
        JsonNode messages = messages(owner, "").path("items");
        for (int i = 1; i < messages.size(); i++) {
            assertThat(messages.get(i).path("parent_id").asText())
                    .as("each message follows the one before it")
                    .isEqualTo(messages.get(i - 1).path("id").asText());
        }
        assertThat(messages.get(1).path("run_id").asText())
                .as("an answer names its run, as its question does")
                .isEqualTo(messages.get(0).path("run_id").asText());
        assertThat(messages.get(1).path("run_status").asText()).isEqualTo("succeeded");
        assertThat(messages.get(1).path("stopped").asBoolean()).isFalse();
    }

    @Test
    void aRunWaitingForItsRetryKeepsItsSessionsPlace() {
        dev.eryao.services.RunExecutionService runs = fixture.app.runExecution(fixture.settings(2, 3));
        String first = fixture.enqueue(owner, "first").taskId().toString();
        fixture.enqueue(owner, "second");
        dev.eryao.services.RunContext attempt =
                runs.claimNext("w", fixture.clock.instant()).orElseThrow();
        assertThat(attempt.runId().toString()).isEqualTo(first);
        assertThat(runs.fail(attempt, "w", "the model answered 503", true, "", fixture.clock.instant()))
                .isTrue();

        assertThat(runs.claimNext("w", fixture.clock.instant()))
                .as("the second waits behind the first's retry, though it is due and a worker is free")
                .isEmpty();
        fixture.clock.advance(Duration.ofMinutes(5));
        assertThat(runs.claimNext("w", fixture.clock.instant())
                        .orElseThrow()
                        .runId()
                        .toString())
                .as("the retry comes first")
                .isEqualTo(first);
        assertThat(runs.claimNext("w", fixture.clock.instant()))
                .as("and the second still waits while it runs")
                .isEmpty();
    }

    @Test
    void rejectRefusesANewRunWhileOneIsOpenNamingItAndWritesNothing() throws Exception {
        String open = accepted(send(owner, Map.of("input", "first")));
        long heldBefore = fixture.count(
                "SELECT held FROM points_balance WHERE owner_id = ?",
                owner.user().id());

        HttpResponse<String> refused = send(owner, Map.of("input", "second", "multitask_strategy", "reject"));

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(refused.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(JSON.readTree(refused.body()).path("task_id").asText()).isEqualTo(open);
        assertThat(fixture.count("SELECT count(*) FROM agent_run WHERE session_id = ?", owner.sessionId()))
                .isEqualTo(1);
        assertThat(texts(messages(owner, "?branch=all"))).containsExactly("user: first");
        assertThat(fixture.count(
                        "SELECT held FROM points_balance WHERE owner_id = ?",
                        owner.user().id()))
                .isEqualTo(heldBefore);

        HttpResponse<String> unknown = send(owner, Map.of("input", "second", "multitask_strategy", "rollback"));
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(422);
        JsonNode problem = JSON.readTree(unknown.body());
        assertThat(problem.path("errors").path("multitask_strategy").asText())
                .contains("enqueue")
                .contains("reject")
                .contains("interrupt");
        assertThat(fixture.count("SELECT count(*) FROM agent_run WHERE session_id = ?", owner.sessionId()))
                .isEqualTo(1);
    }

    @Test
    void interruptStopsTheRunningRunKeepingItsPartialAnswerChargedOnceAndTheNewRunGoesNext() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        fixture.llm.then(
                new Streamed(List.of("partial ", "answer"), Duration.ofMillis(1), 10, 2, held),
                new Answer("the new answer", 10, 2));
        String queued;
        String first;
        try (Worker worker = fixture.worker(2, 1)) {
            worker.start();
            first = accepted(send(owner, Map.of("input", "first question")));
            assertThat(fixture.llm.awaitFirstPieceSent(30)).isTrue();
            awaitPiece(first);
            queued = accepted(send(owner, Map.of("input", "queued behind")));
            String next = accepted(send(owner, Map.of("input", "instead", "multitask_strategy", "interrupt")));
            fixture.awaitEnded(3, WAIT);
            held.countDown();

            assertThat(run(queued).path("status").asText()).isEqualTo("cancelled");
            assertThat(run(queued).path("attempts").asInt())
                    .as("never performed")
                    .isZero();
            assertThat(run(next).path("status").asText()).isEqualTo("succeeded");
        }
        JsonNode stopped = run(first);
        assertThat(stopped.path("status").asText()).isEqualTo("cancelled");
        assertThat(stopped.path("output").asText()).isEqualTo("partial ");
        assertThat(fixture.count("SELECT count(*) FROM points_ledger WHERE reference_id = ?", UUID.fromString(first)))
                .as("the stopped run is charged once")
                .isEqualTo(1);
        assertThat(fixture.count("SELECT count(*) FROM points_ledger WHERE reference_id = ?", UUID.fromString(queued)))
                .as("the queued one costs nothing")
                .isZero();
        assertThat(fixture.count(
                        "SELECT held FROM points_balance WHERE owner_id = ?",
                        owner.user().id()))
                .isZero();
        assertThat(sent(2))
                .as("the new run follows the partial answer; the cancelled question is not sent")
                .containsExactly("user: first question", "assistant: partial ", "user: instead");
        JsonNode branch = messages(owner, "").path("items");
        assertThat(branch.get(1).path("stopped").asBoolean()).isTrue();
        assertThat(branch.get(1).path("run_status").asText()).isEqualTo("cancelled");
    }

    @Test
    void regenerateAndEditMakeBranchesTheApiShowsAndEachBranchsNextRunIsSentThatBranchOnly() throws Exception {
        fixture.llm.then(
                new Answer("answer one", 10, 2),
                new Answer("answer two", 10, 2),
                new Answer("answer two again", 10, 2),
                new Answer("answer on the regenerated branch", 10, 2),
                new Answer("answer to the edit", 10, 2),
                new Answer("answer on the older branch", 10, 2));
        try (Worker worker = fixture.worker(1, 1)) {
            worker.start();
            accepted(send(owner, Map.of("input", "one")));
            String two = accepted(send(owner, Map.of("input", "two")));
            fixture.awaitEnded(2, WAIT);
            JsonNode before = messages(owner, "").path("items");
            String firstAnswerTwo = before.get(3).path("id").asText();
            String questionTwo = before.get(2).path("id").asText();

            String again = accepted(post("/v1/agent/runs/" + two + "/regenerate", owner, Map.of()));
            fixture.awaitEnded(3, WAIT);
            assertThat(sent(3))
                    .as("a regenerate's context ends at the question: the earlier answer is not sent")
                    .containsExactly("user: one", "assistant: answer one", "user: two");
            JsonNode current = messages(owner, "").path("items");
            assertThat(texts(current))
                    .containsExactly("user: one", "assistant: answer one", "user: two", "assistant: answer two again");
            assertThat(current.get(3).path("parent_id").asText()).isEqualTo(questionTwo);
            assertThat(current.get(3).path("run_id").asText()).isEqualTo(again);

            accepted(send(owner, Map.of("input", "three")));
            fixture.awaitEnded(4, WAIT);
            assertThat(sent(4))
                    .containsExactly(
                            "user: one",
                            "assistant: answer one",
                            "user: two",
                            "assistant: answer two again",
                            "user: three");

            accepted(send(owner, Map.of("input", "two, edited", "edits_message_id", questionTwo)));
            fixture.awaitEnded(5, WAIT);
            assertThat(sent(5)).containsExactly("user: one", "assistant: answer one", "user: two, edited");
            assertThat(texts(messages(owner, "")))
                    .containsExactly(
                            "user: one", "assistant: answer one", "user: two, edited", "assistant: answer to the edit");

            // The older answer's branch is still there to read, and to go on from.
            assertThat(texts(messages(owner, "?through=" + firstAnswerTwo)))
                    .containsExactly("user: one", "assistant: answer one", "user: two", "assistant: answer two");
            accepted(send(owner, Map.of("input", "four", "parent_message_id", firstAnswerTwo)));
            fixture.awaitEnded(6, WAIT);
            assertThat(sent(6))
                    .containsExactly(
                            "user: one", "assistant: answer one", "user: two", "assistant: answer two", "user: four");
        }
        assertThat(messages(owner, "?branch=all").path("items"))
                .as("every message of every branch: 6 questions, 5 of them with an answer and one with two")
                .hasSize(11);

        RunFixture.Owner stranger = fixture.owner(1_000);
        String strangersMessage =
                messages(owner, "").path("items").get(0).path("id").asText();
        HttpResponse<String> foreign = send(stranger, Map.of("input", "x", "parent_message_id", strangersMessage));
        assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(404);
        assertThat(get("/v1/agent/sessions/" + owner.sessionId() + "/messages?through=" + UUID.randomUUID(), owner)
                        .statusCode())
                .isEqualTo(404);
        assertThat(fixture.count(
                        "SELECT count(*) FROM agent_run WHERE owner_id = ?",
                        stranger.user().id()))
                .isZero();
    }

    @Test
    void aSessionsRunsAreListedAndItsViewNamesTheRunInFlightThroughARunsLife() throws Exception {
        assertThat(session(owner).path("active_run_id").isNull()).isTrue();
        CountDownLatch rest = new CountDownLatch(1);
        fixture.llm.then(new Streamed(List.of("a"), Duration.ofMillis(1), 10, 1, rest), new Answer("b", 10, 1));
        String first = accepted(send(owner, Map.of("input", "first")));
        String second = accepted(send(owner, Map.of("input", "second")));
        assertThat(session(owner).path("active_run_id").asText()).isEqualTo(first);
        JsonNode listed =
                get("/v1/agent/sessions/" + owner.sessionId() + "/runs", owner).json();
        assertThat(listed.path("items").findValuesAsText("task_id")).containsExactly(second, first);

        try (Worker worker = fixture.worker(1, 1)) {
            worker.start();
            assertThat(fixture.llm.awaitFirstPieceSent(30)).isTrue();
            assertThat(session(owner).path("active_run_id").asText()).isEqualTo(first);
            rest.countDown();
            fixture.awaitEnded(2, WAIT);
        }
        assertThat(session(owner).path("active_run_id").isNull()).isTrue();
        assertThat(get("/v1/agent/sessions/" + owner.sessionId() + "/runs?status=succeeded&limit=1", owner)
                        .json()
                        .path("items")
                        .findValuesAsText("task_id"))
                .containsExactly(second);
        TestResponse bad = get("/v1/agent/sessions/" + owner.sessionId() + "/runs?status=done", owner);
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(bad.json().path("errors").path("status").asText()).contains("succeeded");
        assertThat(get("/v1/agent/sessions/" + UUID.randomUUID() + "/runs", owner)
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void theSessionStreamSendsEveryRunInOrderAndAReconnectInTheMiddleRepeatsAndMissesNothing() throws Exception {
        CountDownLatch rest = new CountDownLatch(1);
        fixture.llm.then(
                new Streamed(List.of("one ", "two ", "three"), Duration.ofMillis(1), 10, 3),
                new Streamed(List.of("four ", "five ", "six"), Duration.ofMillis(1), 10, 3, rest),
                new Streamed(List.of("seven ", "eight"), Duration.ofMillis(1), 10, 2));
        List<Event> seen = new ArrayList<>();
        String[] runs = new String[3];
        try (Worker worker = fixture.worker(1, 1)) {
            try (EventStream stream = openSession(owner, null)) {
                for (int i = 0; i < 3; i++) {
                    runs[i] = accepted(send(owner, Map.of("input", "question " + i)));
                }
                worker.start();
                seen.addAll(stream.until(
                        event -> event.name().equals("delta")
                                && event.json().path("run_id").asText().equals(runs[1]),
                        WAIT));
            }
            rest.countDown();
            try (EventStream resumed = openSession(owner, seen.getLast().id())) {
                seen.addAll(resumed.until(
                        event -> status("succeeded").test(event)
                                && event.json().path("task_id").asText().equals(runs[2]),
                        WAIT));
            }
        }

        Map<String, List<String>> perRun = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>();
        for (Event event : seen) {
            if (event.id() != null) {
                ids.add(event.id());
            }
            String run = event.name().equals("delta")
                    ? event.json().path("run_id").asText()
                    : event.json().path("task_id").asText();
            String what = event.name().equals("delta")
                    ? event.json().path("text").asText()
                    : "[" + event.json().path("status").asText() + "]";
            perRun.computeIfAbsent(run, r -> new ArrayList<>()).add(what);
        }
        assertThat(ids).as("no event twice").doesNotHaveDuplicates();
        assertThat(perRun.keySet()).as("the runs in the order they were sent").containsExactly(runs);
        // A status event is the run as the stream read it (a run may go from queued to succeeded
        // between two reads); the pieces are what the worker stored, however it grouped the chunks.
        assertRun(perRun.get(runs[0]), "one two three");
        assertRun(perRun.get(runs[1]), "four five six");
        assertRun(perRun.get(runs[2]), "seven eight");
    }

    private static void assertRun(List<String> events, String text) {
        assertThat(String.join(
                        "", events.stream().filter(e -> !e.startsWith("[")).toList()))
                .isEqualTo(text);
        List<String> statuses = events.stream().filter(e -> e.startsWith("[")).toList();
        assertThat(statuses).doesNotHaveDuplicates().isSubsetOf("[queued]", "[running]", "[succeeded]");
        assertThat(events.getLast()).isEqualTo("[succeeded]");
    }

    @Test
    void theSessionStreamEndsWhenItsSessionIsDeleted() throws Exception {
        try (EventStream stream = openSession(owner, null)) {
            HttpResponse<String> deleted = http.send(
                    request("/v1/agent/sessions/" + owner.sessionId(), owner)
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(deleted.statusCode()).isEqualTo(204);
            assertThat(stream.ends(WAIT)).as("the stream ends with its session").isTrue();
        }
    }

    @Test
    void aBrowserOpensTheSessionStreamWithATicketForThatSessionOnly() throws Exception {
        HttpResponse<String> issued = post("/v1/agent/sessions/" + owner.sessionId() + "/events", owner, Map.of());
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
        String url = JSON.readTree(issued.body()).path("url").asText();
        assertThat(url).startsWith("/v1/agent/sessions/" + owner.sessionId() + "/events?ticket=");
        fixture.llm.then(new Answer("ticketed answer", 10, 2));
        try (Worker worker = fixture.worker(1, 1)) {
            try (EventStream stream = EventStream.openUrl(URI.create(api.base() + url))) {
                assertThat(stream.status())
                        .as("no Authorization: the ticket alone")
                        .isEqualTo(200);
                String run = accepted(send(owner, Map.of("input", "over a ticket")));
                worker.start();
                List<Event> events = stream.until(
                        event -> status("succeeded").test(event)
                                && event.json().path("task_id").asText().equals(run),
                        WAIT);
                assertThat(events.getLast().json().path("output").asText()).isEqualTo("ticketed answer");
            }
        }
        RunFixture.Owner other = fixture.owner(100);
        String ticket = url.substring(url.indexOf("ticket=") + "ticket=".length());
        HttpResponse<String> refused = http.send(
                HttpRequest.newBuilder(URI.create(
                                api.base() + "/v1/agent/sessions/" + other.sessionId() + "/events?ticket=" + ticket))
                        .header("Accept", "text/event-stream")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode())
                .as("another session's stream: %s", refused.body())
                .isEqualTo(401);
        assertThat(post("/v1/agent/sessions/" + owner.sessionId() + "/events", other, Map.of())
                        .statusCode())
                .as("another owner's session gets no ticket")
                .isEqualTo(404);
    }

    // ---- helpers

    /** What the model was sent in its {@code n}th request (1 for the first), as "role: content". */
    private List<String> sent(int n) {
        Received request = fixture.llm.received().get(n - 1);
        List<String> messages = new ArrayList<>();
        for (JsonNode message : request.body().path("messages")) {
            messages.add(message.path("role").asText() + ": "
                    + message.path("content").asText());
        }
        return messages;
    }

    private static List<String> texts(JsonNode page) {
        JsonNode items = page.has("items") ? page.path("items") : page;
        List<String> texts = new ArrayList<>();
        for (JsonNode message : items) {
            texts.add(message.path("role").asText() + ": "
                    + message.path("content").asText());
        }
        return texts;
    }

    private void awaitPiece(String run) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (fixture.count("SELECT count(*) FROM agent_run_delta WHERE run_id = ?", UUID.fromString(run)) == 0) {
            assertThat(System.nanoTime()).as("a piece is stored").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private JsonNode messages(RunFixture.Owner who, String query) throws Exception {
        TestResponse response = get("/v1/agent/sessions/" + who.sessionId() + "/messages" + query, who);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private JsonNode session(RunFixture.Owner who) throws Exception {
        return get("/v1/agent/sessions/" + who.sessionId(), who).json();
    }

    private JsonNode run(String run) throws Exception {
        return get("/v1/agent/runs/" + run, owner).json();
    }

    private HttpResponse<String> send(RunFixture.Owner who, Map<String, String> body) throws Exception {
        return post("/v1/agent/sessions/" + who.sessionId() + "/runs", who, body);
    }

    private static String accepted(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return JSON.readTree(response.body()).path("task_id").asText();
    }

    private HttpResponse<String> post(String path, RunFixture.Owner who, Map<String, String> body) throws Exception {
        return http.send(
                request(path, who)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private record TestResponse(int statusCode, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    private TestResponse get(String path, RunFixture.Owner who) throws Exception {
        HttpResponse<String> response =
                http.send(request(path, who).GET().build(), HttpResponse.BodyHandlers.ofString());
        return new TestResponse(response.statusCode(), response.body());
    }

    private EventStream openSession(RunFixture.Owner who, String lastEventId) throws Exception {
        return api.openPath(who, "/v1/agent/sessions/" + who.sessionId() + "/events", lastEventId);
    }

    private HttpRequest.Builder request(String path, RunFixture.Owner who) {
        return HttpRequest.newBuilder(URI.create(api.base() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + FixtureApi.token(who.user().id()));
    }
}
