package dev.eryao.api;

import static dev.eryao.api.ApiRole.USER;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Notifications;
import dev.eryao.services.ClientTool;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunEvents;
import dev.eryao.services.RunService;
import dev.eryao.services.RunView;
import dev.eryao.services.StepView;
import io.javalin.http.HandlerType;
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

    private static final String EVENTS = "/v1/agent/runs/{task_id}/events";

    // approvals and tool outputs are both answers to a parked run's pending calls, refused alike
    private static final String NOT_WAITING =
            "the run is not waiting for its owner, or a call was already answered otherwise";

    @JsonIgnoreProperties(value = "owner_id")
    record CreateRun(
            String input,
            @Nullable UUID llmId,
            @Nullable String multitaskStrategy,
            @Nullable UUID parentMessageId,
            @Nullable UUID editsMessageId,
            @Nullable Integer maxSteps,
            @Nullable Long maxPoints,
            @Nullable List<String> tools,
            @Nullable List<ClientTool> clientTools) {}

    @JsonIgnoreProperties(value = "owner_id")
    record Approvals(List<RunService.Approval> approvals) {}

    @JsonIgnoreProperties(value = "owner_id")
    record ToolOutputs(List<RunService.ToolOutput> toolOutputs) {}

    @JsonIgnoreProperties(value = "owner_id")
    record RegenerateRun(@Nullable UUID llmId, @Nullable String multitaskStrategy) {}

    private final RunService runs;
    private final Notifications changes;
    private final OpenStreams streams;
    private final ObjectMapper mapper;

    /** @param changes announcements of run changes ({@link dev.eryao.repositories.RunRepository#CHANNEL}) */
    RunRoutes(RunService runs, Notifications changes, ObjectMapper mapper, OpenStreams streams) {
        this.streams = streams;
        this.runs = runs;
        this.changes = changes;
        this.mapper = mapper;
    }

    void register(RouteTable table, StreamTickets tickets) {
        table.add(
                Route.of(HandlerType.POST, "/v1/agent/sessions/{id}/runs", USER, TAG)
                        .summary("Queue an agent run on a session (needs points and a model; repeat-safe with"
                                + " Idempotency-Key). A session's runs are performed one at a time, in order:"
                                + " multitask_strategy says what a new one does while one is open (enqueue, the"
                                + " default: it waits; reject: 409 naming the open run; interrupt: the open runs"
                                + " stop and this one is next). parent_message_id: the message the question"
                                + " follows; omitted, the end of the current branch. edits_message_id: a question"
                                + " this one replaces (an edit), as its sibling. max_steps: the most model steps"
                                + " (calls of its model, which may call tools) the run takes; max_points: the most"
                                + " it may cost in all. tools: the registered tools its model may call (an MCP"
                                + " server's name, for its allowed tools, or <server>__<tool>); client_tools: tools the"
                                + " client performs itself (name, description, JSON Schema parameters): a call of one"
                                + " parks the run as requires_action until POST …/tool-outputs gives its output")
                        .body(CreateRun.class)
                        .status(202)
                        .returns(RunAccepted.class)
                        .acceptsIdempotencyKey()
                        .refuses(402, "the available points cannot hold the run's most possible price")
                        .refuses(
                                409,
                                "the Idempotency-Key was used for another session, or multitask_strategy reject"
                                        + " while the session has a run open (task_id names it)")
                        .refuses(
                                422,
                                "neither the run nor its session names an active model, an unknown"
                                        + " multitask_strategy, max_steps out of range (1 to"
                                        + " ERYAO_RUNS__MAX_STEPS_LIMIT), max_points below 0, tools naming"
                                        + " no enabled registered server or allowed tool, or client_tools with a bad"
                                        + " name, a repeated name or parameters that are not an object schema")
                        .refuses(429, "the owner has as many runs open as one may (Retry-After says when to retry)"),
                call -> runs.enqueue(
                        call.user(),
                        call.id("id"),
                        new RunService.NewRun(
                                call.body().input(),
                                call.body().llmId(),
                                call.body().multitaskStrategy(),
                                call.body().parentMessageId(),
                                call.body().editsMessageId(),
                                call.body().maxSteps(),
                                call.body().maxPoints(),
                                call.body().tools(),
                                call.body().clientTools()),
                        call.idempotencyKey()));
        table.add(
                Route.of(HandlerType.GET, "/v1/agent/sessions/{id}/runs", USER, TAG)
                        .summary("List a session's runs, newest first (?status= only those with that status)")
                        .returnsPage(RunView.class)
                        .query(
                                "status",
                                "only the runs with this status (queued, running, requires_approval, requires_action,"
                                        + " succeeded, failed, cancelled, expired)")
                        .refuses(422, "a status that is not a run's"),
                call -> runs.listOfSession(call.user(), call.id("id"), call.query("status"), call.page(true)));
        table.add(
                Route.of(HandlerType.POST, "/v1/agent/runs/{task_id}/regenerate", USER, TAG)
                        .summary("Answer a finished run's question again: a new run (202) whose context ends at"
                                + " that question, its answer a sibling of the earlier one (llm_id: another"
                                + " model; multitask_strategy as for a new run; repeat-safe with Idempotency-Key)")
                        .body(RegenerateRun.class)
                        .status(202)
                        .returns(RunAccepted.class)
                        .acceptsIdempotencyKey()
                        .refuses(402, "the available points cannot hold the run's most possible price")
                        .refuses(
                                409,
                                "the run has not finished, or multitask_strategy reject while the session has a run"
                                        + " open, or the Idempotency-Key was used for another session")
                        .refuses(422, "the model is not an active one, or an unknown multitask_strategy")
                        .refuses(429, "the owner has as many runs open as one may (Retry-After says when to retry)"),
                call -> runs.regenerate(
                        call.user(),
                        call.id("task_id"),
                        call.body().llmId(),
                        call.body().multitaskStrategy(),
                        call.idempotencyKey()));
        table.add(
                Route.of(HandlerType.GET, "/v1/agent/runs/{task_id}", USER, TAG)
                        .summary("Read a run's status, and its output or error once finished")
                        .returns(RunView.class),
                call -> runs.get(call.user(), call.id("task_id")));
        table.add(
                Route.of(HandlerType.GET, "/v1/agent/runs/{task_id}/steps", USER, TAG)
                        .summary("A run's steps so far, in order: each call of its model (the text it wrote, the"
                                + " tool calls it asked for, usage, points charged) and each tool call (tool, call id,"
                                + " arguments, result or error, points charged), with their times")
                        .returnsList(StepView.class),
                call -> runs.steps(call.user(), call.id("task_id")));
        table.add(
                Route.of(HandlerType.POST, "/v1/agent/runs/{task_id}/approvals", USER, TAG)
                        .summary("Answer the calls a run waits on for its owner's approval (status requires_approval;"
                                + " pending_calls lists them): each approved (its worker makes the call) or denied (the"
                                + " model is told, with the reason). Once no pending call is left unanswered the run is"
                                + " queued again and any worker resumes it. Repeating an answer is harmless")
                        .body(Approvals.class)
                        .returns(RunView.class)
                        .refuses(409, NOT_WAITING)
                        .refuses(
                                422,
                                "an entry names no call the run waits on for an approval, names one twice, or has no"
                                        + " approve"),
                call -> runs.approve(
                        call.user(), call.id("task_id"), call.body().approvals()));
        table.add(
                Route.of(HandlerType.POST, "/v1/agent/runs/{task_id}/tool-outputs", USER, TAG)
                        .summary("Give the outputs of the client's tools a run called (status requires_action;"
                                + " pending_calls lists the calls): each output goes back to the model as that call's"
                                + " result. Once no pending call is left unanswered the run is queued again and any"
                                + " worker resumes it. Repeating an output is harmless")
                        .body(ToolOutputs.class)
                        .returns(RunView.class)
                        .refuses(409, NOT_WAITING)
                        .refuses(
                                422,
                                "an entry names no client tool's call the run waits on, names one twice, or its output"
                                        + " is missing or longer than 65536 characters"),
                call -> runs.submitToolOutputs(
                        call.user(), call.id("task_id"), call.body().toolOutputs()));
        table.add(
                Route.of(HandlerType.POST, "/v1/agent/runs/{task_id}/cancel", USER, TAG)
                        .summary("Stop a run: a queued or parked one is cancelled at once (charged only what steps it"
                                + " recorded used); a running one stops within a second, keeping what its model wrote"
                                + " and charging what it used (202 until then); repeating it is harmless; a finished"
                                + " run is a 409")
                        .returns(RunView.class)
                        .alsoAnswers(202, "the run was running: it stops within a second")
                        .refuses(409, "the run had already finished: there is nothing to stop"),
                call -> {
                    RunView run = runs.cancel(call.user(), call.id("task_id"));
                    return call.answer(run.running() ? 202 : 200, run);
                });
        table.add(
                Route.of(HandlerType.GET, EVENTS, USER, TAG)
                        .summary("Follow a run as server-sent events (retry: first): `delta` events ({\"attempt\","
                                + " \"index\", \"text\"}, id `<attempt>.<index>`) as its model writes, `tool_call`"
                                + " ({\"attempt\", \"index\", \"id\", \"tool\", \"arguments\"}) and `tool_result`"
                                + " ({\"attempt\", \"index\", \"id\", \"tool\", \"result\", \"error\"}) events in the"
                                + " same sequence and with ids of the same form; a `status`"
                                + " event (the run, as GET returns it, a parked run's pending_calls with it; id"
                                + " `<attempt>.<index>.<status>.<version>`) on every change, until it has finished; a `restart` event ({\"attempt\"}, id"
                                + " `<attempt>.-1`) when a retried attempt's text replaces the one shown. Reconnect"
                                + " with Last-Event-ID to get only what was missed; 204 when that was nothing and the"
                                + " run has finished; 422 for an id this stream did not write. A browser's"
                                + " EventSource opens it with ?ticket= (POST on this path) instead of Authorization.")
                        .query(StreamTickets.QUERY, StreamTickets.QUERY_DESCRIPTION)
                        .alsoAnswers(204, "the run has finished and the client has every event (stops EventSource)")
                        .returnsEvents(),
                this::events);
        tickets.register(table, EVENTS, TAG, call -> runs.get(call.user(), call.id("task_id")));
    }

    /**
     * Server-sent events for one run ({@link RunEventStream}). Everything that can refuse happens
     * before the stream opens, each an ordinary problem: another owner's or a missing run (404), a
     * {@code Last-Event-ID} this stream cannot have written (422), no {@code Accept} (406). A client
     * that already has everything of a finished run gets 204, the one answer that stops a browser's
     * {@code EventSource} from reconnecting forever.
     */
    private Object events(Call<Void> call) throws JsonProcessingException {
        CurrentUser user = call.user();
        UUID taskId = call.id("task_id");
        RunEventId last = RunEventId.parse(call.header(RunEventId.HEADER));
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
            first = runs.resume(user, taskId, last == null ? null : last.position());
            if (RunEventStream.hasEverything(last, first, mapper)) {
                signal.close();
                call.context().status(204);
                return null;
            }
        } catch (RuntimeException | JsonProcessingException e) {
            signal.close();
            throw e;
        }
        // Handed over rather than captured: the handler lives as long as the stream, which is to
        // hold only the page it is sending, not its first one as well.
        AtomicReference<RunEvents> handover = new AtomicReference<>(first);
        new SseHandler(client -> streams.follow(
                        client,
                        signal,
                        () -> new RunEventStream(client, mapper, runs, user, taskId, last)
                                .follow(signal, handover.getAndSet(null))))
                .handle(call.context());
        return null;
    }
}
