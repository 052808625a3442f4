package dev.eryao.api;

import static dev.eryao.api.ApiRole.USER;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.eryao.services.MessageService;
import dev.eryao.services.SessionService;
import dev.eryao.services.MessageView;
import dev.eryao.services.SessionView;
import io.javalin.http.HandlerType;
import java.util.UUID;

/** {@code /v1/agent/sessions}: the caller's chat sessions and their messages. */
final class SessionRoutes {
    private static final String TAG = "sessions";

    /** {@code owner_id} is ignored: the owner is always the token's {@code sub}. */
    @JsonIgnoreProperties(value = "owner_id")
    record CreateSession(String title, UUID llmId) {
    }

    @JsonIgnoreProperties(value = "owner_id")
    record UpdateSession(String title, UUID llmId) {
    }

    private final SessionService sessions;
    private final MessageService messages;
    private final JsonBodies json;

    SessionRoutes(SessionService sessions, MessageService messages, JsonBodies json) {
        this.sessions = sessions;
        this.messages = messages;
        this.json = json;
    }

    void register(RouteTable table) {
        table.add(Route.of(HandlerType.POST, "/v1/agent/sessions", USER, TAG).summary("Create a chat session")
                .body(CreateSession.class).status(201).returns(SessionView.class), ctx -> {
            CreateSession body = json.read(ctx, CreateSession.class);
            ctx.status(201).json(sessions.create(Requests.user(ctx), body.title(), body.llmId()));
        });
        table.add(Route.of(HandlerType.GET, "/v1/agent/sessions", USER, TAG)
                .summary("List your sessions, newest first").returnsPage(SessionView.class), ctx ->
                ctx.json(PageBody.of(sessions.list(Requests.user(ctx), Requests.page(ctx, true)))));
        table.add(Route.of(HandlerType.GET, "/v1/agent/sessions/{id}", USER, TAG).summary("Read a session")
                .returns(SessionView.class), ctx ->
                ctx.json(sessions.get(Requests.user(ctx), Requests.pathId(ctx, "id"))));
        table.add(Route.of(HandlerType.PATCH, "/v1/agent/sessions/{id}", USER, TAG)
                .summary("Rename a session or change its model").body(UpdateSession.class)
                .returns(SessionView.class), ctx -> {
            UUID id = Requests.pathId(ctx, "id");
            UpdateSession body = json.read(ctx, UpdateSession.class);
            ctx.json(sessions.update(Requests.user(ctx), id, body.title(), body.llmId()));
        });
        table.add(Route.of(HandlerType.DELETE, "/v1/agent/sessions/{id}", USER, TAG)
                .summary("Delete a session (soft delete)").status(204), ctx -> {
            sessions.delete(Requests.user(ctx), Requests.pathId(ctx, "id"));
            ctx.status(204);
        });
        table.add(Route.of(HandlerType.GET, "/v1/agent/sessions/{id}/messages", USER, TAG)
                .summary("List a session's messages, oldest first").returnsPage(MessageView.class), ctx -> {
            UUID id = Requests.pathId(ctx, "id");
            ctx.json(PageBody.of(messages.list(Requests.user(ctx), id, Requests.page(ctx, false))));
        });
    }
}
