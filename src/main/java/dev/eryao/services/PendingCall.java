package dev.eryao.services;

import org.jspecify.annotations.Nullable;

/**
 * A tool call a parked run waits on, as its view shows it and as it is stored with the run.
 *
 * @param id        the model's id of the call ({@code tool_call_id})
 * @param tool      the tool it calls
 * @param arguments its arguments, as the model wrote them (JSON)
 * @param kind      {@code approval} (a registered tool that needs the owner's approval) or
 *                  {@code client} (a tool of the client's, whose output the owner posts)
 * @param decision  null until decided: {@code approved}, {@code denied} or, for a client tool,
 *                  {@code output}
 * @param reason    why it was denied, when the owner said
 * @param output    the client tool's output, once posted
 */
public record PendingCall(
        String id,
        String tool,
        String arguments,
        String kind,
        @Nullable String decision,
        @Nullable String reason,
        @Nullable String output) {
    public static final String APPROVAL = "approval";
    public static final String CLIENT = "client";
    public static final String APPROVED = "approved";
    public static final String DENIED = "denied";
    public static final String OUTPUT = "output";

    /** A call still waiting for its owner. */
    public static PendingCall waiting(String id, String tool, String arguments, String kind) {
        return new PendingCall(id, tool, arguments, kind, null, null, null);
    }

    public boolean decided() {
        return decision != null;
    }

    PendingCall decidedAs(String decision, String reason, String output) {
        return new PendingCall(id, tool, arguments, kind, decision, reason, output);
    }
}
