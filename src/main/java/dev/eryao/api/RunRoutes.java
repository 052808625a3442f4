package dev.eryao.api;

import static dev.eryao.api.ApiRole.USER;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.eryao.services.AgentService;
import dev.eryao.services.RunView;
import dev.eryao.services.TaskAccepted;
import io.javalin.http.HandlerType;
import java.util.UUID;

/** Agent runs: accepted as queued tasks (202), then polled by task id. */
final class RunRoutes {
    private static final String TAG = "runs";

    @JsonIgnoreProperties(value = "owner_id")
    record CreateRun(String input, UUID llmId) {
    }

    private final AgentService agents;
    private final JsonBodies json;

    RunRoutes(AgentService agents, JsonBodies json) {
        this.agents = agents;
        this.json = json;
    }

    void register(RouteTable table) {
        table.add(Route.of(HandlerType.POST, "/v1/agent/sessions/{id}/runs", USER, TAG)
                .summary("Queue an agent run on a session (needs points; repeat-safe with Idempotency-Key)")
                .body(CreateRun.class).status(202).returns(TaskAccepted.class).acceptsIdempotencyKey(), ctx -> {
            UUID sessionId = Requests.pathId(ctx, "id");
            CreateRun body = json.read(ctx, CreateRun.class);
            ctx.status(202).json(agents.enqueueRun(Requests.user(ctx), sessionId, body.input(), body.llmId(),
                    Requests.idempotencyKey(ctx)));
        });
        table.add(Route.of(HandlerType.GET, "/v1/agent/runs/{task_id}", USER, TAG)
                .summary("Read a run's status, and its output or error once finished").returns(RunView.class), ctx ->
                ctx.json(agents.getRun(Requests.user(ctx), Requests.pathId(ctx, "task_id"))));
    }
}
