package dev.eryao.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.provider.SseStreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A run's server-sent event stream as a client reads it, over real HTTP: the events are parsed as
 * they arrive, by the parser the provider client uses ({@link SseStreamReader}), and handed over in
 * order. Waits are bounded, so a test that waits for an event that never comes fails instead of
 * hanging.
 */
public final class EventStream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The longest line and event read: far above any a test's run sends (a final status carries the
     * whole answer, 8 MiB in the longest, JSON-escaped), and still a bound.
     */
    private static final int MAX_EVENT_BYTES = 64 << 20;
    /** The end of the stream, as an event no server sends. */
    private static final Event END = new Event("end-of-stream", null, "null");

    /** One event: its name, its id (null when it has none) and its data. */
    public record Event(String name, String id, String data) {
        public JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + data, e);
            }
        }
    }

    private final HttpClient http;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final int status;
    private final java.net.http.HttpHeaders headers;
    private final InputStream body;
    private final Thread reader;

    private EventStream(HttpClient http, HttpResponse<InputStream> response) {
        this.http = http;
        this.status = response.statusCode();
        this.headers = response.headers();
        this.body = response.body();
        this.reader = Thread.ofVirtual().start(this::read);
    }

    /**
     * Opens {@code GET /v1/agent/runs/{runId}/events} on {@code baseUrl} with {@code token}.
     *
     * @param lastEventId sent as {@code Last-Event-ID}, or null
     */
    public static EventStream open(String baseUrl, String runId, String token, String lastEventId) throws Exception {
        return openPath(baseUrl, "/v1/agent/runs/" + runId + "/events", token, lastEventId);
    }

    /** Opens the event stream at {@code path} (a run's or a session's) on {@code baseUrl} with {@code token}. */
    public static EventStream openPath(String baseUrl, String path, String token, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream")
                .GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        // A stream is checked for its status and media type (its body is read as it comes).
        ApiContract.ofThisBuild()
                .check(new ApiContract.Exchange(
                        "GET", path, response.statusCode(), response.headers().map(), null));
        return new EventStream(client, response);
    }

    /**
     * Opens {@code url} as a browser's {@code EventSource} would: {@code Accept: text/event-stream},
     * no {@code Authorization}; extra headers as name, value pairs ({@code Last-Event-ID}, {@code Origin}).
     */
    public static EventStream openUrl(URI url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .header("Accept", "text/event-stream")
                .GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpClient client = HttpClient.newHttpClient();
        return new EventStream(client, client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    /** The response's headers. */
    public java.net.http.HttpHeaders headers() {
        return headers;
    }

    public int status() {
        return status;
    }

    private void read() {
        try {
            parse(body, events::add);
        } catch (IOException e) {
            // the stream was closed: the end, as for a server that ended it
        } finally {
            events.add(END);
        }
    }

    /**
     * Every event of a server-sent event stream read to its end, in order: for a client that reads
     * its response in its own way (slowly, or in parts) and looks at the events afterwards.
     */
    public static List<Event> readToEnd(InputStream body) throws IOException {
        List<Event> read = new ArrayList<>();
        parse(body, read::add);
        return read;
    }

    private static void parse(InputStream body, Consumer<Event> sink) throws IOException {
        try (body) {
            SseStreamReader.read(
                    body,
                    MAX_EVENT_BYTES,
                    MAX_EVENT_BYTES,
                    event -> sink.accept(new Event(event.type(), event.id(), event.data())));
        }
    }

    /** The next event, waiting at most {@code limit}; fails when none comes or the stream ended. */
    public Event next(Duration limit) throws InterruptedException {
        Event event = events.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            throw new AssertionError("no event within " + limit);
        }
        if (event == END) {
            events.add(END);
            throw new AssertionError("the stream ended");
        }
        return event;
    }

    /** Every event up to and including the first that matches, in order (bounded by {@code limit}). */
    public List<Event> until(Predicate<Event> last, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        List<Event> seen = new ArrayList<>();
        while (true) {
            Event event = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            seen.add(event);
            if (last.test(event)) {
                return seen;
            }
        }
    }

    /** Whether the server ended the stream within {@code limit} (after the events already read). */
    public boolean ends(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            Event event = events.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (event == END) {
                events.add(END);
                return true;
            }
            if (event != null) {
                throw new AssertionError("expected the end of the stream, got " + event);
            }
        }
        return false;
    }

    /** A status event with this status. */
    public static Predicate<Event> status(String status) {
        return event -> event.name().equals("status")
                && event.json().path("status").asText().equals(status);
    }

    @Override
    public void close() throws IOException {
        body.close();
        http.close();
    }
}
