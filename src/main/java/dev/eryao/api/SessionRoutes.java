package dev.eryao.api;

import static dev.eryao.api.ApiRole.USER;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.eryao.services.MessageService;
import dev.eryao.services.MessageView;
import dev.eryao.services.SessionService;
import dev.eryao.services.SessionView;
import io.javalin.http.HandlerType;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** {@code /v1/agent/sessions}: the caller's chat sessions and their messages. */
final class SessionRoutes {
    private static final String TAG = "sessions";

    /** {@code owner_id} is ignored: the owner is always the token's {@code sub}. */
    @JsonIgnoreProperties(value = "owner_id")
    record CreateSession(String title, @Nullable UUID llmId) {}

    @JsonIgnoreProperties(value = "owner_id")
    record UpdateSession(@Nullable String title, @Nullable UUID llmId) {}

    private final SessionService sessions;
    private final MessageService messages;

    SessionRoutes(SessionService sessions, MessageService messages) {
        this.sessions = sessions;
        this.messages = messages;
    }

    private static MessageService.Selection selection(Call<Void> call) {
        String branch = call.query("branch");
        UUID through = call.queryId("through");
        if (branch != null && !branch.equals("all")) {
            throw RequestException.field("branch", "must be all (or left out, for the current branch)");
        }
        if (branch != null && through != null) {
            throw RequestException.field("through", "cannot be given with branch=all: choose one");
        }
        if (branch != null) {
            return new MessageService.Selection.All();
        }
        return through == null
                ? new MessageService.Selection.CurrentBranch()
                : new MessageService.Selection.Through(through);
    }

    void register(RouteTable table) {
        table.add(
                Route.of(HandlerType.POST, "/v1/agent/sessions", USER, TAG)
                        .summary("Create a chat session")
                        .body(CreateSession.class)
                        .status(201)
                        .returns(SessionView.class),
                call -> sessions.create(
                        call.user(), call.body().title(), call.body().llmId()));
        table.add(
                Route.of(HandlerType.GET, "/v1/agent/sessions", USER, TAG)
                        .summary("List your sessions, newest first")
                        .returnsPage(SessionView.class),
                call -> sessions.list(call.user(), call.page(true)));
        table.add(
                Route.of(HandlerType.GET, "/v1/agent/sessions/{id}", USER, TAG)
                        .summary("Read a session")
                        .returns(SessionView.class),
                call -> sessions.get(call.user(), call.id("id")));
        table.add(
                Route.of(HandlerType.PATCH, "/v1/agent/sessions/{id}", USER, TAG)
                        .summary("Rename a session or change its model")
                        .body(UpdateSession.class)
                        .returns(SessionView.class),
                call -> sessions.update(
                        call.user(),
                        call.id("id"),
                        call.body().title(),
                        call.body().llmId()));
        table.add(
                Route.of(HandlerType.DELETE, "/v1/agent/sessions/{id}", USER, TAG)
                        .summary("Delete a session (soft delete)")
                        .status(204),
                call -> {
                    sessions.delete(call.user(), call.id("id"));
                    return null;
                });
        table.add(
                Route.of(HandlerType.GET, "/v1/agent/sessions/{id}/messages", USER, TAG)
                        .summary("List a session's messages, oldest first: its current branch (the branch of its"
                                + " latest run); ?through=<message id> the branch through that message (another"
                                + " sibling's); ?branch=all every message (each names its parent_id)")
                        .returnsPage(MessageView.class)
                        .query("branch", "all: every message of the session (each names its parent_id), not one branch")
                        .query(
                                "through",
                                "a message id: the branch through that message (what it follows, itself, the newest reply after it)")
                        .refuses(422, "a cursor of a message no longer on the branch (read it again from the start)"),
                call -> messages.list(call.user(), call.id("id"), selection(call), call.page(false)));
    }
}
