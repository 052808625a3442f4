package dev.eryao.api;

import io.javalin.http.Context;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Every request gets an id, sent back in {@code X-Request-Id} and written in problem bodies and
 * in the log, so a user's report of a failure can be found in the log.
 */
final class RequestIds {
    static final String HEADER = "X-Request-Id";
    private static final String ATTRIBUTE = "eryao.request-id";

    private RequestIds() {}

    static void assign(Context ctx) {
        // Not a secret, only unique: a random UUID from the thread's generator, because
        // UUID.randomUUID() takes SecureRandom's lock and a read of /dev/urandom on every request.
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String id = new UUID(
                        (random.nextLong() & ~0xF000L) | 0x4000L,
                        (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L)
                .toString();
        ctx.attribute(ATTRIBUTE, id);
        ctx.header(HEADER, id);
    }

    static String of(Context ctx) {
        String id = ctx.attribute(ATTRIBUTE);
        return id == null ? "none" : id;
    }
}
