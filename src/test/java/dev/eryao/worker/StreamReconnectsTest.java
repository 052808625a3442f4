package dev.eryao.worker;

import static dev.eryao.support.EventStream.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.support.EventStream;
import dev.eryao.support.EventStream.Event;
import dev.eryao.support.FakeLlmServer.StreamThenDie;
import dev.eryao.support.FakeLlmServer.Streamed;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A run's event stream as a browser's EventSource uses it, over real HTTP with a model on loopback:
 * it says how soon to reconnect, every event that changes what a client shows has an id, a
 * reconnect with any of them gets exactly what was missed, a client that has everything of a
 * finished run gets 204 (what stops EventSource), an id the stream never wrote is a 422, and a
 * retried attempt is announced before its text.
 */
class StreamReconnectsTest {
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
    void theStreamSaysHowSoonToReconnectBeforeAnyEvent() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        String run = enqueue(owner, "hello");

        HttpResponse<InputStream> response =
                http.send(request(run, owner, null).build(), HttpResponse.BodyHandlers.ofInputStream());
        String start;
        try (InputStream body = response.body()) {
            start = firstEventBlock(body);
        } finally {
            // Ends the stream (its run finished), so that none is open when the server stops.
            fixture.app.runs().cancel(owner.user(), UUID.fromString(run));
        }

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(start).isEqualTo("retry: 1000");
    }

    @Test
    void aClientWithEveryEventOfAFinishedRunGets204AndOneMissingOnlyTheFinalStatusGetsJustThat() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        fixture.llm.then(new Streamed(PIECES, Duration.ofMillis(2), 100, 6));
        String run = enqueue(owner, "hello");
        perform();

        List<Event> all;
        try (EventStream stream = api.openRun(owner, run, null)) {
            all = stream.until(status("succeeded"), WAIT);
            assertThat(stream.ends(WAIT)).isTrue();
        }
        Event last = all.getLast();
        List<Event> deltas = deltas(all);
        assertThat(last.id())
                .as("a status's id: where the client stands, the status, a version")
                .matches(java.util.regex.Pattern.quote(deltas.getLast().id()) + "\\.succeeded\\.[0-9a-f]{8}");

        HttpResponse<String> done =
                http.send(request(run, owner, last.id()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(done.statusCode()).isEqualTo(204);
        assertThat(done.body()).isEmpty();

        List<Event> missed;
        try (EventStream stream = api.openRun(owner, run, deltas.getLast().id())) {
            missed = stream.until(status("succeeded"), WAIT);
            assertThat(stream.ends(WAIT)).isTrue();
        }
        assertThat(missed).extracting(Event::name).containsExactly("status");
        assertThat(missed.getFirst().id()).isEqualTo(last.id());
    }

    @Test
    void aReconnectWithAnEarlierStatusIdGetsEverythingSinceAndNothingTwice() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        fixture.llm.then(new Streamed(PIECES, Duration.ofMillis(2), 100, 6));
        String run = enqueue(owner, "hello");
        Event queued;
        try (EventStream stream = api.openRun(owner, run, null)) {
            queued = stream.next(WAIT);
        }
        assertThat(queued.name()).isEqualTo("status");
        assertThat(queued.id()).matches("0\\.-1\\.queued\\.[0-9a-f]{8}");
        perform();

        List<Event> since;
        try (EventStream stream = api.openRun(owner, run, queued.id())) {
            since = stream.until(status("succeeded"), WAIT);
            assertThat(stream.ends(WAIT)).isTrue();
        }

        assertThat(since).extracting(Event::name).doesNotContain("restart");
        assertThat(since.stream().filter(e -> e.name().equals("status")))
                .as("only the final status: the queued one was shown")
                .hasSize(1);
        List<Event> pieces = deltas(since);
        assertThat(pieces)
                .extracting(Event::id)
                .as("every piece, each once, in order")
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, pieces.size())
                        .mapToObj(i -> "1." + i)
                        .toList());
        assertThat(texts(since)).isEqualTo(String.join("", PIECES));
    }

    @Test
    void aLastEventIdThisStreamNeverWroteIsA422ProblemBeforeTheStreamOpens() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        fixture.llm.then(new Streamed(PIECES, Duration.ofMillis(2), 100, 6));
        String run = enqueue(owner, "hello");
        perform();
        List<Event> pieces;
        try (EventStream stream = api.openRun(owner, run, null)) {
            pieces = deltas(stream.until(status("succeeded"), WAIT));
        }
        String pastTheEnd = "1." + pieces.size();

        for (String never : List.of("7.99", pastTheEnd, "2.-1", "1.0.succeeded", "1.0.succeeded.xyz", "0.3", "1.-2")) {
            HttpResponse<String> refused =
                    http.send(request(run, owner, never).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(never).isEqualTo(422);
            assertThat(refused.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(JSON.readTree(refused.body()).path("errors").has("Last-Event-ID"))
                    .as(never)
                    .isTrue();
        }
        try (EventStream stream = api.openRun(owner, run, pieces.getFirst().id())) {
            assertThat(deltas(stream.until(status("succeeded"), WAIT)))
                    .extracting(Event::id)
                    .containsExactlyElementsOf(pieces.subList(1, pieces.size()).stream()
                            .map(Event::id)
                            .toList());
        }
    }

    @Test
    void aRetriedAttemptIsARestartEventBeforeItsFirstPieceAndAReconnectFromTheOldAttemptGetsItToo() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        fixture.llm.then(
                new StreamThenDie(List.of("Half an ", "answer"), Duration.ofMillis(2)),
                new Streamed(PIECES, Duration.ofMillis(2), 100, 6));
        String run = enqueue(owner, "hello");
        List<Event> events;
        try (Worker worker = fixture.worker(1, 3);
                EventStream stream = api.openRun(owner, run, null)) {
            worker.performDue();
            List<Event> first = stream.until(
                    event -> status("queued").test(event)
                            && event.json().path("attempts").asInt() == 1,
                    WAIT);
            assertThat(texts(first)).as("the failed attempt's text").isEqualTo("Half an answer");
            fixture.clock.advance(Duration.ofMinutes(5));
            Future<Integer> second = background.submit(worker::performDue);
            events = stream.until(status("succeeded"), WAIT);
            assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        }

        List<String> names = events.stream().map(Event::name).toList();
        assertThat(names).containsOnlyOnce("restart");
        int restart = names.indexOf("restart");
        assertThat(events.get(restart).json().path("attempt").asInt()).isEqualTo(2);
        assertThat(events.get(restart).id()).isEqualTo("2.-1");
        assertThat(deltas(events.subList(0, restart)))
                .as("nothing of attempt 2 before it")
                .isEmpty();
        assertThat(deltas(events.subList(restart, events.size()))).allMatch(e -> e.id().startsWith("2."));
        assertThat(texts(events)).isEqualTo(String.join("", PIECES));

        List<Event> resumed;
        try (EventStream stream = api.openRun(owner, run, "1.0")) {
            resumed = stream.until(status("succeeded"), WAIT);
        }
        assertThat(resumed.getFirst().name()).isEqualTo("restart");
        assertThat(texts(resumed)).isEqualTo(String.join("", PIECES));
    }

    /** The first block of a stream (up to its first blank line), without the blank line. */
    private static String firstEventBlock(InputStream body) throws Exception {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        while (read.size() < 4096) {
            int b = body.read();
            if (b < 0) {
                break;
            }
            read.write(b);
            String text = read.toString(StandardCharsets.UTF_8);
            if (text.endsWith("\n\n")) {
                return text.substring(0, text.length() - 2);
            }
        }
        throw new AssertionError("no blank line in the first 4 KiB: " + read.toString(StandardCharsets.UTF_8));
    }

    private void perform() {
        try (Worker worker = fixture.worker(1, 3)) {
            worker.performDue();
        }
    }

    private static List<Event> deltas(List<Event> events) {
        return events.stream().filter(e -> e.name().equals("delta")).toList();
    }

    private static String texts(List<Event> events) {
        return deltas(events).stream().map(e -> e.json().path("text").asText()).collect(Collectors.joining());
    }

    private String enqueue(RunFixture.Owner owner, String input) {
        return fixture.enqueue(owner, input).taskId().toString();
    }

    private HttpRequest.Builder request(String run, RunFixture.Owner owner, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(api.base() + "/v1/agent/runs/" + run + "/events"))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "text/event-stream")
                .header(
                        "Authorization",
                        "Bearer " + FixtureApi.token(owner.user().id()))
                .GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return request;
    }
}
