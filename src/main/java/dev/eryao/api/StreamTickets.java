package dev.eryao.api;

import static dev.eryao.api.ApiRole.USER;

import dev.eryao.core.Uuids;
import dev.eryao.core.auth.AuthenticationException;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.services.IssuedTicket;
import dev.eryao.services.StreamTicketService;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Event streams a browser's {@code EventSource} can open. It cannot send {@code Authorization}, and an
 * access token never goes in a URL (URLs end up in logs and histories), so the owner first asks for a
 * ticket with a {@code POST} on the stream's own path (bearer auth), then opens
 * {@code GET <path>?ticket=…} with no header. A route class makes one of its streams ticketed with
 * {@link #register}; {@link AuthHandler} then takes a ticket on that stream's {@code GET} only, as the
 * credential of the ticket's owner, and refuses one anywhere else. What a ticket is and how long it
 * lasts is {@link StreamTicketService}'s.
 */
final class StreamTickets {
    static final String QUERY = "ticket";
    /** What the query parameter is, in the OpenAPI document. */
    static final String QUERY_DESCRIPTION =
            "a stream ticket (POST on this path), instead of Authorization: for a browser's EventSource";

    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

    /** What the owner gets: the ticket, when it stops opening the stream, and the URL to open. */
    record Ticket(String ticket, Instant expiresAt, String url) {}

    /** Throws (a 404 problem) unless the stream the call names belongs to its caller. */
    @FunctionalInterface
    interface OwnerCheck {
        void check(Call<Void> call);
    }

    private final StreamTicketService tickets;
    /** The ticketed streams' paths (their GET routes), each as a pattern whose groups are its ids. */
    private final List<Pattern> streams = new CopyOnWriteArrayList<>();

    StreamTickets(StreamTicketService tickets) {
        this.tickets = tickets;
    }

    /**
     * Declares {@code POST eventsPath}, which gives the caller a ticket for {@code GET eventsPath} of
     * the same ids once {@code owner} has found the stream to be theirs, and lets that GET take it.
     */
    void register(RouteTable table, String eventsPath, String tag, OwnerCheck owner) {
        streams.add(Pattern.compile(PATH_PARAM
                .splitAsStream(eventsPath)
                .map(Pattern::quote)
                .collect(Collectors.joining("([^/]+)", "", eventsPath.endsWith("}") ? "([^/]+)" : ""))));
        table.add(
                Route.of(HandlerType.POST, eventsPath, USER, tag)
                        .summary("A ticket to open this event stream without an Authorization header (a browser's"
                                + " EventSource): GET the returned url within "
                                + StreamTicketService.LIFETIME.toSeconds()
                                + " s; it opens only this stream, for its owner, and can be shown again until it"
                                + " expires (EventSource reconnects)")
                        .status(201)
                        .returns(Ticket.class),
                call -> {
                    String path = concretePath(eventsPath, call::id);
                    IssuedTicket issued = tickets.issue(call.user(), path, () -> owner.check(call));
                    return new Ticket(issued.ticket(), issued.expiresAt(), path + "?" + QUERY + "=" + issued.ticket());
                });
    }

    /**
     * The owner a request's {@code ?ticket=} proves, for the GET of a ticketed stream.
     *
     * @throws AuthenticationException when the route takes no ticket, or the ticket does not open it
     */
    CurrentUser redeem(Context ctx, String ticket) {
        // Matched here, not through the router's match: the same request path the handler will serve.
        Matcher path = ctx.method().equals(HandlerType.GET)
                ? streams.stream()
                        .map(stream -> stream.matcher(ctx.path()))
                        .filter(Matcher::matches)
                        .findFirst()
                        .orElse(null)
                : null;
        if (path == null) {
            throw new AuthenticationException("a ticket opens only the event stream it was issued for (GET …/events):"
                    + " this route needs Authorization: Bearer <token>");
        }
        StringBuilder canonical = new StringBuilder(ctx.path());
        for (int group = path.groupCount(); group >= 1; group--) {
            String id = path.group(group);
            if (!Uuids.isCanonical(id)) {
                throw new AuthenticationException("the ticket opens another stream, not this one");
            }
            canonical.replace(
                    path.start(group), path.end(group), Uuids.parseCanonical(id).toString());
        }
        return tickets.redeem(ticket, canonical.toString());
    }

    /** {@code template} with its ids written canonically (lowercase), as both ends compute it. */
    private static String concretePath(String template, Function<String, UUID> ids) {
        return PATH_PARAM
                .matcher(template)
                .replaceAll(param ->
                        Matcher.quoteReplacement(ids.apply(param.group(1)).toString()));
    }
}
