package dev.eryao.worker;

import static dev.eryao.support.EventStream.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.support.EventStream;
import dev.eryao.support.EventStream.Event;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Over real HTTP, a run whose long answer (8 MiB in 512 pieces) is already stored when its readers
 * come, running or finished: the stream of a client that reads nothing holds a small part of it
 * (the server reads and sends the backlog a page at a time, and a page waits in a blocked write),
 * while a fast reader, clients that stall mid-backlog as the run finishes and a reconnecting one
 * each get every piece once, in order, before the final status.
 */
class RunBacklogStreamsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PIECES = 512;
    private static final int PIECE_CHARS = 16 * 1024;
    private static final long ANSWER_BYTES = (long) PIECES * PIECE_CHARS;
    /** Clients that open the stream and read nothing once it has begun. */
    private static final int IDLE_READERS = 40;
    /** Clients that read the start of the stream, stop until the run has finished, then read on. */
    private static final int STALLING_READERS = 3;

    private static final int STALLED_AFTER_BYTES = 1024 * 1024;

    private final RunFixture fixture = new RunFixture();
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final List<AutoCloseable> clients = new ArrayList<>();
    private FixtureApi api;

    @BeforeEach
    void apiOverTheFixture() {
        api = FixtureApi.start(fixture);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        background.shutdownNow();
        fixture.close();
    }

    @Test
    void idleReadersHoldLittleOfARunningRunsLongAnswerWhileOtherReadersGetEachPieceOnceInOrder() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        StoredAnswer answer = StoredAnswer.start(fixture, owner);
        List<String> pieces = longAnswer();
        answer.write(pieces);
        String run = answer.runId().toString();

        assertThat(heldPerIdleReader(owner, run, "running"))
                .as("heap held per idle reader")
                .isLessThan(ANSWER_BYTES / 4);

        CountDownLatch finished = new CountDownLatch(1);
        CountDownLatch stalled = new CountDownLatch(STALLING_READERS);
        List<Future<List<Event>>> stalling = new ArrayList<>();
        for (int i = 0; i < STALLING_READERS; i++) {
            stalling.add(stallingReader(owner, run, stalled, finished));
        }
        List<Event> fast;
        try (EventStream stream = open(owner, run, null)) {
            fast = new ArrayList<>(stream.until(event -> ("1." + (PIECES - 1)).equals(event.id()), WAIT));
            assertThat(stalled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            answer.succeed(String.join("", pieces));
            finished.countDown();
            fast.addAll(stream.until(status("succeeded"), WAIT));
            assertThat(stream.ends(WAIT))
                    .as("the stream ends after the final status")
                    .isTrue();
        }

        assertEveryPieceOnceInOrderThenTheFinalStatus(fast, pieces, 0);
        for (Future<List<Event>> reader : stalling) {
            assertEveryPieceOnceInOrderThenTheFinalStatus(reader.get(WAIT.toSeconds(), TimeUnit.SECONDS), pieces, 0);
        }
        try (EventStream resumed = open(owner, run, "1.200")) {
            assertEveryPieceOnceInOrderThenTheFinalStatus(resumed.until(status("succeeded"), WAIT), pieces, 201);
            assertThat(resumed.ends(WAIT)).isTrue();
        }
    }

    @Test
    void idleReadersHoldLittleOfAFinishedRunsLongAnswerThoughItsFinalStatusCarriesItWhole() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        StoredAnswer answer = StoredAnswer.start(fixture, owner);
        List<String> pieces = longAnswer();
        answer.write(pieces);
        answer.succeed(String.join("", pieces));
        String run = answer.runId().toString();

        assertThat(heldPerIdleReader(owner, run, "succeeded"))
                .as("heap held per idle reader")
                .isLessThan(ANSWER_BYTES / 4);
        try (EventStream late = open(owner, run, null)) {
            assertEveryPieceOnceInOrderThenTheFinalStatus(late.until(status("succeeded"), WAIT), pieces, 0);
            assertThat(late.ends(WAIT)).isTrue();
        }
    }

    private static List<String> longAnswer() {
        return IntStream.range(0, PIECES)
                .mapToObj(i -> String.format("<%05d>", i) + "x".repeat(PIECE_CHARS - 7))
                .toList();
    }

    /**
     * The heap that {@link #IDLE_READERS} clients reading nothing of the run's stream hold, each:
     * measured after full collections before they open and once every one has begun, and printed
     * for the record. A page is 256 KiB of text at most; a stream that held the answer, as every
     * stream once did, held 8 MiB and more.
     */
    private long heldPerIdleReader(RunFixture.Owner owner, String run, String runStatus) throws Exception {
        long before = usedHeapAfterGc();
        for (int i = 0; i < IDLE_READERS; i++) {
            openAndReadNothing(owner, run);
        }
        long each = (usedHeapAfterGc() - before) / IDLE_READERS;
        System.out.printf(
                "heap held per stream whose client reads nothing (%d of them, a %s run's %d MiB" + " answer): %d KiB%n",
                IDLE_READERS, runStatus, ANSWER_BYTES >> 20, each >> 10);
        return each;
    }

    /**
     * The pieces from {@code from} on as {@code delta} events, each once and in order, and after
     * the last of them the run's final status with the whole answer; no event after it.
     */
    private static void assertEveryPieceOnceInOrderThenTheFinalStatus(
            List<Event> events, List<String> pieces, int from) {
        List<Event> deltas =
                events.stream().filter(event -> event.name().equals("delta")).toList();
        assertThat(deltas)
                .extracting(Event::id)
                .containsExactlyElementsOf(IntStream.range(from, pieces.size())
                        .mapToObj(i -> "1." + i)
                        .toList());
        assertThat(deltas)
                .extracting(event -> event.json().path("text").asText())
                .containsExactlyElementsOf(pieces.subList(from, pieces.size()));
        Event last = events.getLast();
        assertThat(last.name()).isEqualTo("status");
        assertThat(last.json().path("status").asText()).isEqualTo("succeeded");
        assertThat(last.json().path("output").asText()).isEqualTo(String.join("", pieces));
        assertThat(events.stream().filter(status("succeeded")))
                .as("one final status")
                .hasSize(1);
    }

    /** A client that opens the stream and, once the response has begun (its status line), reads nothing. */
    private void openAndReadNothing(RunFixture.Owner owner, String run) throws IOException {
        Socket socket = new Socket();
        clients.add(socket);
        // Little room in the kernel: the server's write blocks soon, as it would behind a slow network.
        socket.setReceiveBufferSize(4 * 1024);
        socket.connect(new InetSocketAddress("127.0.0.1", api.port()));
        socket.setSoTimeout((int) WAIT.toMillis());
        OutputStream out = socket.getOutputStream();
        out.write(("GET /v1/agent/runs/" + run + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "Authorization: Bearer "
                        + FixtureApi.token(owner.user().id()) + "\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(statusLine(socket.getInputStream())).startsWith("HTTP/1.1 200");
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.append((char) b);
        }
        return line.toString().strip();
    }

    /**
     * A client that reads the first {@link #STALLED_AFTER_BYTES} of the stream, says so on
     * {@code stalled}, reads nothing until {@code resume} opens, then reads the stream to its end.
     */
    private Future<List<Event>> stallingReader(
            RunFixture.Owner owner, String run, CountDownLatch stalled, CountDownLatch resume) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        clients.add(http);
        HttpResponse<InputStream> response = http.send(
                HttpRequest.newBuilder(URI.create(api.base() + "/v1/agent/runs/" + run + "/events"))
                        .header(
                                "Authorization",
                                "Bearer " + FixtureApi.token(owner.user().id()))
                        .header("Accept", "text/event-stream")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return background.submit(() -> {
            try (InputStream body = response.body()) {
                byte[] start = body.readNBytes(STALLED_AFTER_BYTES);
                stalled.countDown();
                resume.await();
                return EventStream.readToEnd(new SequenceInputStream(new ByteArrayInputStream(start), body));
            }
        });
    }

    private EventStream open(RunFixture.Owner owner, String run, String lastEventId) throws Exception {
        EventStream stream =
                EventStream.open(api.base(), run, FixtureApi.token(owner.user().id()), lastEventId);
        clients.add(stream);
        assertThat(stream.status()).isEqualTo(200);
        return stream;
    }

    /** Heap in use after full collections: what is still held, not garbage not yet collected. */
    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
