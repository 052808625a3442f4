package dev.eryao.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.Causes;
import dev.eryao.core.SafeTrace;
import dev.eryao.core.auth.AuthenticationException;
import dev.eryao.core.auth.KeySourceUnavailableException;
import dev.eryao.core.db.DatabaseOutage;
import dev.eryao.core.db.SqlStates;
import dev.eryao.services.ConflictException;
import dev.eryao.services.InsufficientPointsException;
import dev.eryao.services.InvalidInputException;
import dev.eryao.services.NotFoundException;
import dev.eryao.services.RunInFlightException;
import dev.eryao.services.TooManyOpenRunsException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.MethodNotAllowedResponse;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place exceptions become HTTP answers, each an RFC 9457 problem. Domain exceptions map to
 * their status; a database outage is a 503 ({@link DatabaseOutage}); anything unexpected is a 500
 * whose body carries only the request id, while the log line with the same id carries the
 * exceptions' classes, SQLSTATEs and stack frames, never their messages ({@link SafeTrace}).
 */
final class ProblemMapper {
    private static final Logger log = LoggerFactory.getLogger(ProblemMapper.class);
    /** What a 503 for a database outage tells clients to wait before retrying. */
    static final int RETRY_AFTER_SECONDS = 2;

    private final ObjectMapper json;

    ProblemMapper(ObjectMapper json) {
        this.json = json;
    }

    void register(RoutesConfig routes) {
        routes.exception(NotFoundException.class, (e, ctx) -> answer(ctx, 404, e.getMessage(), null));
        routes.exception(
                InvalidInputException.class,
                (e, ctx) -> answer(ctx, 422, "the request has invalid fields: " + e.getMessage(), e.fieldErrors()));
        routes.exception(RequestException.class, (e, ctx) -> {
            if (e.status() == 408) {
                // The rest of the body may still be on its way: the connection cannot carry another request.
                ctx.header(Header.CONNECTION, "close");
            }
            answer(ctx, e.status(), e.getMessage(), e.fieldErrors().isEmpty() ? null : e.fieldErrors());
        });
        routes.exception(
                InsufficientPointsException.class,
                (e, ctx) -> answer(
                        ctx,
                        402,
                        "not enough points: this needs " + e.requested() + " and " + e.available()
                                + " are available (balance minus what queued and running runs hold)",
                        null));
        routes.exception(TooManyOpenRunsException.class, (e, ctx) -> {
            ctx.header(Header.RETRY_AFTER, String.valueOf(TooManyOpenRunsException.RETRY_AFTER.toSeconds()));
            answer(ctx, 429, e.getMessage(), null);
        });
        routes.exception(ConflictException.class, (e, ctx) -> answer(ctx, 409, e.getMessage(), null));
        routes.exception(RunInFlightException.class, (e, ctx) -> answer(ctx, 409, e.getMessage(), null, e.taskId()));
        routes.exception(AuthenticationException.class, (e, ctx) -> {
            ctx.header(Header.WWW_AUTHENTICATE, "Bearer");
            answer(ctx, 401, e.getMessage(), null);
        });
        routes.exception(
                KeySourceUnavailableException.class,
                (e, ctx) -> answer(ctx, 503, "tokens cannot be verified right now: " + e.getMessage(), null));
        routes.exception(HttpResponseException.class, this::httpResponse);
        routes.exception(Exception.class, (e, ctx) -> {
            if (DatabaseOutage.causedBy(e)) {
                databaseOutage(ctx, e);
                return;
            }
            if (SqlStates.NUMERIC_VALUE_OUT_OF_RANGE.equals(Causes.sqlState(e))) {
                // Numbers in a request come from the client: a sum the database cannot hold (a grant
                // that would take a balance past 2^63-1) is a request that cannot be done, not a fault.
                answer(
                        ctx,
                        422,
                        "a number in this request is out of range: the result would not fit"
                                + " (points are whole numbers up to 9223372036854775807)",
                        null);
                return;
            }
            // Never the exception's message: it can quote what the client sent (see SafeTrace).
            log.error("request {} {} {} failed: {}", RequestIds.of(ctx), ctx.method(), ctx.path(), SafeTrace.of(e));
            answer(ctx, 500, "an unexpected error occurred; quote the request id when reporting it", null);
        });
    }

    /**
     * The database is down or unreachable (a request waits at most the connect timeout for a
     * connection): 503 with Retry-After, not a 500, since nothing is wrong with the request or the code.
     */
    private void databaseOutage(Context ctx, Exception e) {
        log.warn(
                "request {} {} {}: database unavailable: {}",
                RequestIds.of(ctx),
                ctx.method(),
                ctx.path(),
                SafeTrace.of(e).lines().findFirst().orElse(""));
        ctx.header(Header.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS));
        answer(ctx, 503, "the database is unavailable right now; retry shortly", null);
    }

    /** Javalin's own answers: no such route (404), wrong method (405), body too large (413). */
    private void httpResponse(HttpResponseException e, Context ctx) {
        String detail = switch (e.getStatus()) {
            case 404 -> "there is no " + ctx.method() + " " + ctx.path();
            case 405 -> ctx.method() + " is not allowed on " + ctx.path();
            case 413 -> "the request body is larger than the server accepts";
            default -> e.getMessage();
        };
        if (e instanceof MethodNotAllowedResponse) {
            String allowed = e.getDetails()
                    .getOrDefault("availableMethods", e.getDetails().get("Available methods"));
            if (allowed != null) {
                ctx.header(Header.ALLOW, allowed);
            }
        }
        answer(ctx, e.getStatus(), detail, null);
    }

    void answer(Context ctx, int status, String detail, Map<String, String> errors) {
        answer(ctx, status, detail, errors, null);
    }

    private void answer(Context ctx, int status, String detail, Map<String, String> errors, UUID taskId) {
        Problem problem = new Problem(
                "about:blank",
                HttpStatus.forStatus(status).getMessage(),
                status,
                detail,
                ctx.path(),
                RequestIds.of(ctx),
                errors,
                taskId);
        try {
            ctx.status(status).contentType(Problem.CONTENT_TYPE).result(json.writeValueAsString(problem));
        } catch (JsonProcessingException impossible) {
            ctx.status(status).contentType(Problem.CONTENT_TYPE).result("{\"status\":" + status + "}");
        }
    }
}
