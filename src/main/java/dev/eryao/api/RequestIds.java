package dev.eryao.api;

import io.javalin.http.Context;
import java.util.UUID;

/**
 * Every request gets an id, sent back in {@code X-Request-Id} and written in problem bodies and
 * in the log, so a user's report of a failure can be found in the log.
 */
final class RequestIds {
    static final String HEADER = "X-Request-Id";
    private static final String ATTRIBUTE = "eryao.request-id";

    private RequestIds() {
    }

    static void assign(Context ctx) {
        String id = UUID.randomUUID().toString();
        ctx.attribute(ATTRIBUTE, id);
        ctx.header(HEADER, id);
    }

    static String of(Context ctx) {
        String id = ctx.attribute(ATTRIBUTE);
        return id == null ? "none" : id;
    }
}
