package dev.eryao.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.SafeTrace;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Notifications;
import dev.eryao.services.DeltaView;
import dev.eryao.services.RunEvents;
import dev.eryao.services.RunService;
import dev.eryao.services.RunView;
import dev.eryao.services.StreamPosition;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open event stream of a run, written to its client until the run has finished or the client
 * has gone: first {@code retry:} (how soon a browser reconnects), then the pieces of the answer a
 * page at a time, a {@code restart} event when a retried attempt's text replaces what the client
 * shows, and a {@code status} event whenever the run is seen to have changed. It keeps where its
 * client stands ({@link RunEventId}) so that every id it writes resumes exactly there.
 *
 * <p>It reads the run again only when told the run changed (one LISTENing connection per process;
 * see {@link Notifications}), so an open stream costs the database nothing while nothing happens.
 * A backlog is read and sent a page at a time, so a stream holds one page whatever the answer's
 * length ({@link RunService#PAGE_BYTES}).
 */
final class RunEventStream {
    private static final Logger log = LoggerFactory.getLogger(RunEventStream.class);
    /**
     * What {@code retry:} tells a browser: reconnect after a second. A dropped stream resumes soon,
     * and the reconnect after a finished run's last event (answered 204, which stops EventSource)
     * comes soon too, instead of after the browser's own default of about three seconds.
     */
    static final Duration RETRY = Duration.ofSeconds(1);

    private final SseClient client;
    private final ObjectMapper mapper;
    private final RunService runs;
    private final CurrentUser user;
    private final UUID taskId;
    /** Where the client stands: null until it has been told anything about an attempt. */
    private StreamPosition position;
    /** The version of the status the client was last shown, or null. */
    private String shown;

    RunEventStream(
            SseClient client, ObjectMapper mapper, RunService runs, CurrentUser user, UUID taskId, RunEventId last) {
        this.client = client;
        this.mapper = mapper;
        this.runs = runs;
        this.user = user;
        this.taskId = taskId;
        this.position = last == null ? null : last.position();
        this.shown = last == null ? null : last.statusVersion();
    }

    /**
     * Whether a client that sent {@code last} already has everything {@code first} (read for it) says:
     * the run has finished and the client was shown its final status, after its last piece.
     */
    static boolean hasEverything(RunEventId last, RunEvents first, ObjectMapper mapper) throws JsonProcessingException {
        RunView run = first.run();
        return last != null
                && last.statusVersion() != null
                && run != null
                && run.finished()
                && first.deltas().isEmpty()
                && last.position().attempt() == run.attempts()
                && last.statusVersion().equals(RunEventId.version(mapper.writeValueAsString(run)));
    }

    /** @param events the first page, replaced by each next one (no other reference keeps it) */
    void follow(Notifications.Subscription signal, RunEvents events) {
        try (signal) {
            if (!sendRetry(client)) {
                return;
            }
            while (!client.terminated()) {
                enter(events);
                send(events);
                if (client.terminated()) {
                    return;
                }
                RunView run = events.run();
                if (run == null) {
                    // A backlog goes a page at a time, the next read at once: only this page is held,
                    // however long the answer, while a client that reads slowly (or not at all)
                    // blocks the write. Once caught up, the run is read, before whatever came since.
                    events = events.more()
                            ? runs.piecesAfter(user, taskId, position)
                            : runs.eventsAfter(user, taskId, position);
                    continue;
                }
                sendStatus(run);
                if (run.finished()) {
                    break;
                }
                while (!signal.await(RunRoutes.KEEP_ALIVE)) {
                    client.sendComment("waiting");
                    if (client.terminated()) {
                        return;
                    }
                }
                events = runs.eventsAfter(user, taskId, position);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (JsonProcessingException | RuntimeException e) {
            // The answer's headers are gone: a problem cannot be sent any more, and an exception
            // let out into Javalin after Jetty has recycled the request (the server stopping under
            // an open stream) sent it round its error handling without end. Logged, the stream ends.
            log.warn("event stream of run {} ended early: {}", taskId, SafeTrace.of(e));
        } finally {
            client.close();
        }
    }

    /** {@code retry:} first, which no client library parses as an event; false when the client has gone. */
    static boolean sendRetry(SseClient client) {
        try {
            client.ctx().res().getOutputStream().print("retry: " + RETRY.toMillis() + "\n\n");
            client.ctx().res().flushBuffer();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Moves the client into the attempt {@code events} is of, when it stood in an earlier one:
     * with a {@code restart} event when it may show text of that earlier attempt, so that a client
     * which only appends starts the text afresh instead of showing two answers run together.
     */
    private void enter(RunEvents events) throws JsonProcessingException {
        int attempt = events.deltas().isEmpty()
                ? events.run().attempts()
                : events.deltas().getFirst().attempt();
        if (position != null && position.attempt() >= attempt) {
            return;
        }
        StreamPosition start = StreamPosition.startOf(attempt);
        if (position != null && position.attempt() >= 1) {
            client.sendEvent("restart", mapper.writeValueAsString(Map.of("attempt", attempt)), start.eventId());
        }
        position = start;
    }

    /** The pieces as {@code delta} events (tool calls and results as theirs), stopping when the client has gone (the rest has nowhere to go). */
    private void send(RunEvents events) throws JsonProcessingException {
        for (DeltaView delta : events.deltas()) {
            if (client.terminated()) {
                return;
            }
            StreamEvent event = StreamEvent.of(delta, null, mapper);
            client.sendEvent(event.name(), event.data(), delta.position().eventId());
            position = delta.position();
        }
    }

    /** The run as a {@code status} event, unless the client was shown it as it is. */
    private void sendStatus(RunView run) throws JsonProcessingException {
        String data = mapper.writeValueAsString(run);
        String version = RunEventId.version(data);
        if (version.equals(shown)) {
            return;
        }
        client.sendEvent("status", data, RunEventId.ofStatus(position, run.statusName(), data));
        shown = version;
    }
}
