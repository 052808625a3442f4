package dev.eryao.api;

import static dev.eryao.api.ApiRole.USER;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.SafeTrace;
import dev.eryao.core.Uuids;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Cursor;
import dev.eryao.core.db.Notifications;
import dev.eryao.services.DeltaView;
import dev.eryao.services.InvalidInputException;
import dev.eryao.services.NotFoundException;
import dev.eryao.services.RunEvents;
import dev.eryao.services.RunService;
import dev.eryao.services.RunView;
import dev.eryao.services.SessionService;
import dev.eryao.services.StreamPosition;
import io.javalin.http.HandlerType;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event stream per session: every run of the session, one after the other in the order they
 * were accepted (the order they are performed in: a session's runs run one at a time), each as its
 * own stream sends it — its {@code delta} events, its {@code status} events — with the run's id in
 * every event. A page showing a chat holds this one connection whatever number of runs it sends.
 *
 * <p>Every event's id says where the stream is: {@code <run_id>/<attempt>.<index>/<status>}, the
 * run, the last piece of it sent (position {@code 0.0}: none yet) and the status last sent of it
 * (left out before the first). A piece moves the position, a status changes the status, so no two
 * events share an id; and the runs are in the session's order, so a client that reconnects with
 * {@code Last-Event-ID} is sent the rest of that run and then every later run from its start:
 * nothing twice, nothing missed. Opened without one, the stream starts at
 * the session's run in flight (from its start, so a reloaded page shows the whole answer so far),
 * or waits for the session's next run.
 *
 * <p>Like a run's stream it reads only when told something changed (every change of a run is
 * announced with its session's id, a new run by a trigger), and it reads a backlog a page at a time.
 */
final class SessionEventRoutes {
    private static final Logger log = LoggerFactory.getLogger(SessionEventRoutes.class);
    private static final String TAG = "runs";
    private static final StreamPosition NO_PIECE = new StreamPosition(0, 0);

    private static final String EVENTS = "/v1/agent/sessions/{id}/events";

    private final RunService runs;
    private final SessionService sessions;
    private final Notifications changes;
    private final OpenStreams streams;
    private final ObjectMapper mapper;

    SessionEventRoutes(
            RunService runs, SessionService sessions, Notifications changes, ObjectMapper mapper, OpenStreams streams) {
        this.streams = streams;
        this.sessions = sessions;
        this.runs = runs;
        this.changes = changes;
        this.mapper = mapper;
    }

    /** A piece of a run's answer as the session's stream sends it: with its run. */
    record SessionDelta(UUID runId, int attempt, int index, String text) {}

    /** A retried attempt starts its text afresh: what a client shows of the run starts again. */
    record Restart(UUID runId, int attempt) {}

    /** Where the stream is: a run of the session, the last piece sent of it, and the status last shown. */
    private record Place(UUID runId, StreamPosition position, String status) {
        /** The id of the event that leaves the stream here: the run, its last piece sent, its last status sent. */
        String eventId() {
            return runId + "/" + position.eventId() + (status == null ? "" : "/" + status);
        }

        /** The place a Last-Event-ID names; a 422 naming the header for anything this server did not write. */
        static Place parse(String eventId) {
            String[] parts = eventId.split("/", -1);
            if ((parts.length == 2 || parts.length == 3) && Uuids.isCanonical(parts[0])) {
                try {
                    StreamPosition position =
                            parts[1].equals(NO_PIECE.eventId()) ? NO_PIECE : StreamPosition.parse(parts[1]);
                    String status = parts.length == 3 ? parts[2] : null;
                    if (status == null || RunView.isStatusName(status)) {
                        return new Place(Uuids.parseCanonical(parts[0]), position, status);
                    }
                } catch (IllegalArgumentException e) {
                    // refused below
                }
            }
            throw InvalidInputException.field(
                    "Last-Event-ID",
                    "is not an event id of a session's stream (<run_id>/<attempt>.<index>, or"
                            + " <run_id>/<attempt>.<index>/<status>)");
        }
    }

    /** @param tickets where a browser's EventSource gets a ticket for this stream ({@code POST} on it) */
    void register(RouteTable table, StreamTickets tickets) {
        table.add(
                Route.of(HandlerType.GET, EVENTS, USER, TAG)
                        .summary("Follow every run of a session as server-sent events, one run after the other:"
                                + " `delta` events ({\"run_id\", \"attempt\", \"index\", \"text\"}), `tool_call` and"
                                + " `tool_result` events in the same sequence (a run's own stream's, with \"run_id\"),"
                                + " `status` events"
                                + " (the run, as GET returns it) and `restart` ({\"run_id\", \"attempt\"}: a"
                                + " retried attempt's text starts afresh); every id is"
                                + " `<run_id>/<attempt>.<index>/<status>`, the run, its last piece and status sent."
                                + " Opened without"
                                + " Last-Event-ID it starts at the run in flight, from its start; reconnect with"
                                + " Last-Event-ID for the rest of that run and every later one. A browser's"
                                + " EventSource opens it with ?ticket= (POST on this path) instead of Authorization.")
                        .query(StreamTickets.QUERY, StreamTickets.QUERY_DESCRIPTION)
                        .returnsEvents(),
                this::events);
        tickets.register(table, EVENTS, TAG, call -> sessions.get(call.user(), call.id("id")));
    }

    private Object events(Call<Void> call) {
        CurrentUser user = call.user();
        UUID sessionId = call.id("id");
        String lastEventId = call.header("Last-Event-ID");
        Place resumed = lastEventId == null || lastEventId.isBlank() ? null : Place.parse(lastEventId.strip());
        String accept = call.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new RequestException(
                    406,
                    "this is a server-sent event stream: send Accept: text/event-stream"
                            + " (or read GET /v1/agent/sessions/{id}/runs instead)",
                    Map.of());
        }
        // Subscribed before the first read, so a change between the two is not missed.
        Notifications.Subscription signal = changes.subscribe(sessionId.toString());
        Start start;
        try {
            start = start(user, sessionId, resumed);
        } catch (RuntimeException e) {
            signal.close();
            throw e;
        }
        AtomicReference<Start> handover = new AtomicReference<>(start);
        new SseHandler(client -> streams.follow(
                        client, signal, () -> follow(client, signal, user, sessionId, handover.getAndSet(null))))
                .handle(call.context());
        return null;
    }

    /** Where the stream begins: a place in a run, or after a run (null: before the first). */
    private record Start(Place place, Cursor after) {}

    private Start start(CurrentUser user, UUID sessionId, Place resumed) {
        if (resumed != null) {
            runs.runOfSession(user, sessionId, resumed.runId())
                    .orElseThrow(() -> InvalidInputException.field(
                            "Last-Event-ID", "names a run that is not one of this session's"));
            return new Start(resumed, null);
        }
        RunService.SessionStreamStart at = runs.sessionStreamStart(user, sessionId);
        return at.run() != null
                ? new Start(new Place(at.run().id(), NO_PIECE, null), null)
                : new Start(null, at.after());
    }

    private void follow(
            SseClient client, Notifications.Subscription signal, CurrentUser user, UUID sessionId, Start start) {
        Place place = start.place();
        Cursor after = start.after();
        try (signal) {
            if (!RunEventStream.sendRetry(client)) {
                return;
            }
            while (!client.terminated()) {
                if (place == null) {
                    Optional<Cursor> next;
                    try {
                        next = runs.nextRunOfSession(user, sessionId, after);
                    } catch (NotFoundException deleted) {
                        return; // the session was deleted: its stream ends (its runs' last statuses were sent)
                    }
                    if (next.isEmpty()) {
                        if (!waitForChange(client, signal)) {
                            return;
                        }
                        continue;
                    }
                    place = new Place(next.get().id(), NO_PIECE, null);
                }
                place = sendRun(client, signal, user, place);
                if (place == null || client.terminated()) {
                    return;
                }
                // The run has finished and all of it was sent: on to the next run of the session.
                after = runs.runOfSession(user, sessionId, place.runId()).orElse(null);
                place = null;
                if (after == null) {
                    return; // the session's run is gone (deleted with its session): nothing more to follow
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (JsonProcessingException | RuntimeException e) {
            // The answer's headers are gone: no problem can be sent any more (as for a run's stream).
            log.warn("event stream of session {} ended early: {}", sessionId, SafeTrace.of(e));
        } finally {
            client.close();
        }
    }

    /**
     * Sends one run from {@code place} until it has finished and everything of it was sent; the
     * place reached, or null when the client went away.
     */
    private Place sendRun(SseClient client, Notifications.Subscription signal, CurrentUser user, Place place)
            throws InterruptedException, JsonProcessingException {
        UUID runId = place.runId();
        StreamPosition position = place.position();
        String status = place.status();
        RunEvents events = runs.eventsAfter(user, runId, position == NO_PIECE ? null : position);
        while (!client.terminated()) {
            for (DeltaView delta : events.deltas()) {
                if (client.terminated()) {
                    return null;
                }
                if (position.attempt() > 0 && delta.attempt() > position.attempt()) {
                    client.sendEvent("restart", mapper.writeValueAsString(new Restart(runId, delta.attempt())));
                }
                position = delta.position();
                StreamEvent event = StreamEvent.of(delta, runId, mapper);
                client.sendEvent(event.name(), event.data(), new Place(runId, position, status).eventId());
            }
            RunView run = events.run();
            if (run == null) {
                events = events.more()
                        ? runs.piecesAfter(user, runId, position)
                        : runs.eventsAfter(user, runId, position);
                continue;
            }
            if (!run.statusName().equals(status)) {
                status = run.statusName();
                client.sendEvent(
                        "status", mapper.writeValueAsString(run), new Place(runId, position, status).eventId());
            }
            if (run.finished()) {
                return new Place(runId, position, status);
            }
            if (!waitForChange(client, signal)) {
                return null;
            }
            events = runs.eventsAfter(user, runId, position == NO_PIECE ? null : position);
        }
        return null;
    }

    /** Waits for a change of the session's runs, keeping the connection alive; false when the client left. */
    private static boolean waitForChange(SseClient client, Notifications.Subscription signal)
            throws InterruptedException {
        while (!signal.await(RunRoutes.KEEP_ALIVE)) {
            client.sendComment("waiting");
            if (client.terminated()) {
                return false;
            }
        }
        return true;
    }
}
