package dev.eryao.api;

import dev.eryao.core.auth.AuthenticationException;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.auth.JwtVerifier;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.Handler;
import io.javalin.security.RouteRole;
import java.util.Locale;
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
 */
final class AuthHandler implements Handler {
    static final String USER_ATTRIBUTE = "eryao.current-user";
    private static final String BEARER = "bearer ";
    static final String API_KEY_HEADER = "apikey";

    private final JwtVerifier verifier;

    AuthHandler(JwtVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public void handle(Context ctx) {
        Set<RouteRole> roles = ctx.routeRoles();
        // Static files (the Swagger UI assets) declare nothing; every route of ours declares a role.
        if (roles.isEmpty() || roles.contains(ApiRole.ANYONE)) {
            return;
        }
        CurrentUser user = verifier.verify(credential(ctx));
        if (roles.contains(ApiRole.SERVICE_ROLE) && !roles.contains(ApiRole.USER) && !user.isServiceRole()) {
            throw new ForbiddenResponse("this route needs a token with role service_role");
        }
        if (roles.contains(ApiRole.USER) && !user.isUser()) {
            throw new ForbiddenResponse("this route needs a user's access token: an API key identifies no user");
        }
        ctx.attribute(USER_ATTRIBUTE, user);
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
