package dev.eryao.api;

import static dev.eryao.api.ApiRole.USER;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.services.RunService;
import dev.eryao.services.RunView;
import dev.eryao.services.RunAccepted;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.util.UUID;

/** Agent runs: accepted as queued tasks (202), then polled by task id or followed as events. */
final class RunRoutes {
    private static final String TAG = "runs";
    /** How often a followed run is looked at; runs take seconds, so this costs little and feels live. */
    private static final long EVENTS_POLL_MS = 250;
    /** A comment every this many polls lets a vanished client be noticed (the write fails). */
    private static final int KEEP_ALIVE_POLLS = 40;

    @JsonIgnoreProperties(value = "owner_id")
    record CreateRun(String input, UUID llmId) {
    }

    private final RunService runs;
    private final JsonBodies json;
    private final ObjectMapper mapper;

    RunRoutes(RunService runs, JsonBodies json, ObjectMapper mapper) {
        this.runs = runs;
        this.json = json;
        this.mapper = mapper;
    }

    void register(RouteTable table) {
        table.add(Route.of(HandlerType.POST, "/v1/agent/sessions/{id}/runs", USER, TAG)
                .summary("Queue an agent run on a session (needs points; repeat-safe with Idempotency-Key)")
                .body(CreateRun.class).status(202).returns(RunAccepted.class).acceptsIdempotencyKey(), ctx -> {
            UUID sessionId = Requests.pathId(ctx, "id");
            CreateRun body = json.read(ctx, CreateRun.class);
            ctx.status(202).json(runs.enqueue(Requests.user(ctx), sessionId, body.input(), body.llmId(),
                    Requests.idempotencyKey(ctx)));
        });
        table.add(Route.of(HandlerType.GET, "/v1/agent/runs/{task_id}", USER, TAG)
                .summary("Read a run's status, and its output or error once finished").returns(RunView.class), ctx ->
                ctx.json(runs.get(Requests.user(ctx), Requests.pathId(ctx, "task_id"))));
        table.add(Route.of(HandlerType.GET, "/v1/agent/runs/{task_id}/events", USER, TAG)
                .summary("Follow a run as server-sent events: a `status` event (the run, as GET returns it)"
                        + " on every change, until it has finished").returnsEvents(), this::events);
    }

    /**
     * Server-sent events for one run. The owner check happens before the stream opens, so another
     * owner's or a missing run is an ordinary 404 problem; then each change is one {@code status}
     * event, and the stream ends after the run's final state.
     */
    private void events(Context ctx) throws Exception {
        CurrentUser user = Requests.user(ctx);
        UUID taskId = Requests.pathId(ctx, "task_id");
        RunView first = runs.get(user, taskId);
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new RequestException(406, "this is a server-sent event stream: send Accept: text/event-stream"
                    + " (or read GET /v1/agent/runs/{task_id} instead)", java.util.Map.of());
        }
        new SseHandler(client -> follow(client, user, taskId, first)).handle(ctx);
    }

    private void follow(SseClient client, CurrentUser user, UUID taskId, RunView first) {
        RunView last = null;
        RunView current = first;
        try {
            for (int polls = 1; !client.terminated(); polls++) {
                if (!current.equals(last)) {
                    client.sendEvent("status", mapper.writeValueAsString(current));
                    last = current;
                }
                if (!"queued".equals(current.status()) && !"running".equals(current.status())) {
                    break;
                }
                if (polls % KEEP_ALIVE_POLLS == 0) {
                    client.sendComment("waiting");
                }
                Thread.sleep(EVENTS_POLL_MS);
                current = runs.get(user, taskId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a run as JSON", e);
        } finally {
            client.close();
        }
    }
}
