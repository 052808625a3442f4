package dev.eryao.api;

import static dev.eryao.api.ApiRole.USER;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Notifications;
import dev.eryao.services.DeltaView;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunEvents;
import dev.eryao.services.RunService;
import dev.eryao.services.RunView;
import dev.eryao.services.StreamPosition;
import io.javalin.http.HandlerType;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Agent runs: accepted as queued tasks (202), read by task id, followed as server-sent events while
 * the model writes, and stopped.
 */
final class RunRoutes {
    private static final String TAG = "runs";
    /**
     * A stream with nothing to send writes a comment this often: proxies keep the connection, and
     * a client that went away is noticed (the write fails). No database read goes with it.
     */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    @JsonIgnoreProperties(value = "owner_id")
    record CreateRun(String input, @Nullable UUID llmId) {}

    private final RunService runs;
    private final Notifications changes;
    private final ObjectMapper mapper;

    /** @param changes announcements of run changes ({@link dev.eryao.repositories.RunRepository#CHANNEL}) */
    RunRoutes(RunService runs, Notifications changes, ObjectMapper mapper) {
        this.runs = runs;
        this.changes = changes;
        this.mapper = mapper;
    }

    void register(RouteTable table) {
        table.add(
                Route.of(HandlerType.POST, "/v1/agent/sessions/{id}/runs", USER, TAG)
                        .summary(
                                "Queue an agent run on a session (needs points and a model; repeat-safe with Idempotency-Key)")
                        .body(CreateRun.class)
                        .status(202)
                        .returns(RunAccepted.class)
                        .acceptsIdempotencyKey()
                        .refuses(402, "the available points cannot hold the run's most possible price")
                        .refuses(409, "the Idempotency-Key was used for another session")
                        .refuses(422, "neither the run nor its session names an active model")
                        .refuses(429, "the owner has as many runs open as one may (Retry-After says when to retry)"),
                call -> runs.enqueue(
                        call.user(),
                        call.id("id"),
                        call.body().input(),
                        call.body().llmId(),
                        call.idempotencyKey()));
        table.add(
                Route.of(HandlerType.GET, "/v1/agent/runs/{task_id}", USER, TAG)
                        .summary("Read a run's status, and its output or error once finished")
                        .returns(RunView.class),
                call -> runs.get(call.user(), call.id("task_id")));
        table.add(
                Route.of(HandlerType.POST, "/v1/agent/runs/{task_id}/cancel", USER, TAG)
                        .summary("Stop a run: a queued one is cancelled at once (free); a running one stops within a"
                                + " second, keeping what its model wrote and charging what it used (202 until then);"
                                + " repeating it is harmless; a finished run is a 409")
                        .returns(RunView.class)
                        .alsoAnswers(202, "the run was running: it stops within a second")
                        .refuses(409, "the run had already finished: there is nothing to stop"),
                call -> {
                    RunView run = runs.cancel(call.user(), call.id("task_id"));
                    return call.answer(run.running() ? 202 : 200, run);
                });
        table.add(
                Route.of(HandlerType.GET, "/v1/agent/runs/{task_id}/events", USER, TAG)
                        .summary(
                                "Follow a run as server-sent events: `delta` events ({\"attempt\", \"index\", \"text\"},"
                                        + " id `<attempt>.<index>`) as its model writes, and a `status` event (the run, as GET"
                                        + " returns it) on every change, until it has finished. Reconnect with Last-Event-ID to"
                                        + " get what was missed; a new attempt (after a retried failure) starts its text afresh.")
                        .returnsEvents(),
                this::events);
    }

    /**
     * Server-sent events for one run. The owner check happens before the stream opens, so another
     * owner's or a missing run is an ordinary 404 problem. The stream reads the run again only when
     * it is told the run changed (one LISTENing connection per process; see Notifications), so an
     * open stream costs the database nothing while nothing happens. What is stored already (a late
     * client's or a reconnecting one's backlog) is read and sent a page at a time, so a stream holds
     * one page whatever the answer's length (RunService#PAGE_BYTES).
     */
    private Object events(Call<Void> call) {
        CurrentUser user = call.user();
        UUID taskId = call.id("task_id");
        String lastEventId = call.header("Last-Event-ID");
        StreamPosition after =
                lastEventId == null || lastEventId.isBlank() ? null : StreamPosition.parse(lastEventId.strip());
        String accept = call.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new RequestException(
                    406,
                    "this is a server-sent event stream: send Accept: text/event-stream"
                            + " (or read GET /v1/agent/runs/{task_id} instead)",
                    java.util.Map.of());
        }
        // Subscribed before the first read, so a change between the two is not missed.
        Notifications.Subscription signal = changes.subscribe(taskId.toString());
        RunEvents first;
        try {
            first = runs.eventsAfter(user, taskId, after);
        } catch (RuntimeException e) {
            signal.close();
            throw e;
        }
        // Handed over rather than captured: the handler lives as long as the stream, which is to
        // hold only the page it is sending, not its first one as well.
        AtomicReference<RunEvents> handover = new AtomicReference<>(first);
        new SseHandler(client -> follow(client, signal, user, taskId, after, handover.getAndSet(null)))
                .handle(call.context());
        return null;
    }

    /** @param events the first page, replaced by each next one (no other reference keeps it) */
    private void follow(
            SseClient client,
            Notifications.Subscription signal,
            CurrentUser user,
            UUID taskId,
            StreamPosition after,
            RunEvents events) {
        StreamPosition position = after;
        RunView shown = null;
        try (signal) {
            while (!client.terminated()) {
                position = send(client, events.deltas(), position);
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
                if (!run.equals(shown)) {
                    client.sendEvent("status", mapper.writeValueAsString(run));
                    shown = run;
                }
                if (run.finished()) {
                    break;
                }
                while (!signal.await(KEEP_ALIVE)) {
                    client.sendComment("waiting");
                    if (client.terminated()) {
                        return;
                    }
                }
                events = runs.eventsAfter(user, taskId, position);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a run event as JSON", e);
        } finally {
            client.close();
        }
    }

    /**
     * Sends the pieces as {@code delta} events, stopping when the client has gone (the rest of a
     * page has nowhere to go); the position of the last one sent.
     */
    private StreamPosition send(SseClient client, List<DeltaView> deltas, StreamPosition position)
            throws JsonProcessingException {
        StreamPosition sent = position;
        for (DeltaView delta : deltas) {
            if (client.terminated()) {
                break;
            }
            client.sendEvent(
                    "delta", mapper.writeValueAsString(delta), delta.position().eventId());
            sent = delta.position();
        }
        return sent;
    }
}
