package dev.eryao.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The problems (RFC 9457) a route answers, read from its declaration: those every route of its
 * kind answers — a token refused (401, 403) or unverifiable (503) on a signed-in route, an id that
 * is no UUID (400) or names nothing of the caller's (404), a body that does not read (400, 408,
 * 413, 415) or breaks a field rule (422), a bad page (400), a bad or reused {@code Idempotency-Key}
 * (422) or a missing required one (428), a stream asked for without {@code Accept} (406) or with a
 * {@code Last-Event-ID} not of its ids' form (422) — then the ones its own work refuses
 * ({@link Route#refuses}), then the 500 any request may meet. Each status appears once, its cases
 * joined, so the document lists every status a route answers and what each one means there.
 */
final class RouteProblems {
    private RouteProblems() {}

    /** Each problem status the route answers, in order, with when. */
    static Map<Integer, String> of(Route<?> route) {
        Map<Integer, String> problems = new LinkedHashMap<>();
        if (route.role != ApiRole.ANYONE) {
            add(problems, 401, "no token, or one that is not valid (expired, wrong signature, audience or issuer)");
            add(
                    problems,
                    403,
                    route.role == ApiRole.SERVICE_ROLE
                            ? "the token's role is not service_role"
                            : "an API key, which identifies no user, where a user's access token is needed");
        }
        if (!route.pathParams.isEmpty()) {
            add(problems, 400, "a path id is not a UUID in canonical 8-4-4-4-12 hex form");
            add(problems, 404, "no such row of the caller's (another owner's or a deleted one is the same)");
        }
        if (route.requestBody != null) {
            add(problems, 400, "the body is not JSON, has a field of the wrong type or one the route does not take");
            add(problems, 408, "the body did not arrive in time");
            add(problems, 413, "the body is larger than the server accepts");
            add(problems, 415, "the body is not application/json (UTF-8)");
            add(problems, 422, "a field breaks its rule; errors names it");
        }
        if (route.shape == Route.Shape.PAGE) {
            add(
                    problems,
                    400,
                    "limit is not 1.." + Requests.MAX_LIMIT + ", or cursor is not a next_cursor of this list");
        }
        if (route.idempotencyKey) {
            add(
                    problems,
                    422,
                    "the Idempotency-Key is not 1 to 200 visible ASCII characters, or was used with another body");
        }
        if (route.idempotencyKeyRequiredBecause != null) {
            add(problems, 428, "no Idempotency-Key was sent: nothing was done");
        }
        if (route.shape == Route.Shape.EVENTS) {
            add(problems, 406, "the request does not accept text/event-stream");
            add(problems, 422, "the Last-Event-ID is not of the form this stream's ids have");
        }
        route.refusals.forEach((status, when) -> add(problems, status, when));
        if (route.role != ApiRole.ANYONE) {
            add(
                    problems,
                    503,
                    "the database is unavailable (Retry-After says when to retry), or tokens cannot be"
                            + " verified right now (the JWKS cannot be fetched)");
        }
        add(problems, 500, "an unexpected error; the body carries only the request id");
        return problems;
    }

    private static void add(Map<Integer, String> problems, int status, String when) {
        problems.merge(status, when, (a, b) -> a + "; or " + b);
    }
}
