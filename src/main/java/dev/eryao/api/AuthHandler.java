package dev.eryao.api;

import dev.eryao.core.auth.AuthenticationException;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.auth.JwtVerifier;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.Handler;
import io.javalin.security.RouteRole;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one before-handler that guards every route (Javalin {@code beforeMatched}): it reads the
 * role the matched route declared, and for {@link ApiRole#USER} and {@link ApiRole#SERVICE_ROLE}
 * verifies the caller's credential and puts the {@link CurrentUser} on the request. A route cannot
 * run without passing here, and no route reads a user from anywhere else.
 *
 * <p>The credential is the {@code Authorization: Bearer} value, or, when there is none, the
 * {@code apikey} header Supabase's clients send (which holds a project API key: the anon or
 * publishable key, refused, or the service_role or a secret key, which reach the admin routes).
 * A user route needs a user's token: an API key identifies no user, so it gets 403 there.
 * Neither header's value is ever logged or echoed.
 *
 * <p>The GET of a ticketed event stream ({@link StreamTickets}) also takes {@code ?ticket=}, as the
 * ticket's owner; sent with {@code Authorization} as well, both must name the same user. No other
 * credential is ever read from a URL: a request carrying an access token or key as a query
 * parameter is refused (401) before it is looked at, since URLs are logged by proxies and kept in
 * browser histories, and accepting one would teach clients to send it.
 */
final class AuthHandler implements Handler {
    static final String USER_ATTRIBUTE = "eryao.current-user";
    private static final String BEARER = "bearer ";
    static final String API_KEY_HEADER = "apikey";

    /** Query parameters that would carry a token or key in the URL: never read, always refused. */
    static final List<String> CREDENTIALS_IN_URL =
            List.of("access_token", "token", "jwt", "apikey", "api_key", "authorization");

    private final JwtVerifier verifier;
    private final StreamTickets tickets;

    AuthHandler(JwtVerifier verifier, StreamTickets tickets) {
        this.verifier = verifier;
        this.tickets = tickets;
    }

    @Override
    public void handle(Context ctx) {
        Set<RouteRole> roles = ctx.routeRoles();
        // Static files (the Swagger UI assets) declare nothing; every route of ours declares a role.
        if (roles.isEmpty() || roles.contains(ApiRole.ANYONE)) {
            return;
        }
        Map<String, String> query = rawQuery(ctx);
        refuseCredentialsInUrl(query);
        String ticket = query.get(StreamTickets.QUERY);
        CurrentUser user = ticket == null ? verifier.verify(credential(ctx)) : byTicket(ctx, ticket);
        if (roles.contains(ApiRole.SERVICE_ROLE) && !roles.contains(ApiRole.USER) && !user.isServiceRole()) {
            throw new ForbiddenResponse("this route needs a token with role service_role");
        }
        if (roles.contains(ApiRole.USER) && !user.isUser()) {
            throw new ForbiddenResponse("this route needs a user's access token: an API key identifies no user");
        }
        ctx.attribute(USER_ATTRIBUTE, user);
    }

    /** The ticket's owner; an {@code Authorization} sent along must be theirs too. */
    private CurrentUser byTicket(Context ctx, String ticket) {
        CurrentUser owner = tickets.redeem(ctx, ticket);
        String header = ctx.header("Authorization");
        if (header != null
                && !header.isBlank()
                && !owner.id().equals(verifier.verify(credential(ctx)).id())) {
            throw new AuthenticationException("the ticket was issued to another user than the Authorization token's");
        }
        return owner;
    }

    /**
     * The query's parameters (the first value of each), read from the raw query string in UTF-8:
     * Javalin's own map decodes with the body's charset, and a malformed {@code Content-Type}
     * charset must reach the body's check (415), not fail here.
     */
    private static Map<String, String> rawQuery(Context ctx) {
        String raw = ctx.req().getQueryString();
        if (raw == null || raw.isEmpty()) {
            return Map.of();
        }
        Map<String, String> query = new java.util.HashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                query.putIfAbsent(
                        java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(value, java.nio.charset.StandardCharsets.UTF_8));
            } catch (IllegalArgumentException malformed) {
                throw new io.javalin.http.BadRequestResponse("the query string is not well percent-encoded");
            }
        }
        return query;
    }

    private static void refuseCredentialsInUrl(Map<String, String> query) {
        for (String name : query.keySet()) {
            if (CREDENTIALS_IN_URL.contains(name.toLowerCase(Locale.ROOT))) {
                throw new AuthenticationException("credentials are never accepted in a URL (?" + name
                        + "=): send Authorization: Bearer <token>, or open an event stream with a ticket");
            }
        }
    }

    private static String credential(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            String apiKey = ctx.header(API_KEY_HEADER);
            if (apiKey != null && !apiKey.isBlank()) {
                return apiKey.strip();
            }
            throw new AuthenticationException("send a Supabase access token: Authorization: Bearer <token>");
        }
        if (!header.toLowerCase(Locale.ROOT).startsWith(BEARER) || header.length() == BEARER.length()) {
            throw new AuthenticationException("the Authorization header must be: Bearer <token>");
        }
        return header.substring(BEARER.length()).strip();
    }
}
