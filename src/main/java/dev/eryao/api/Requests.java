package dev.eryao.api;

import dev.eryao.core.Uuids;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Cursor;
import dev.eryao.core.db.PageRequest;
import io.javalin.http.Context;
import java.util.Map;
import java.util.UUID;

/** What routes read from a request besides the body, each refused with a {@link RequestException} naming it. */
final class Requests {
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private Requests() {}

    /** The verified caller; {@link AuthHandler} put it there before the route ran. */
    static CurrentUser user(Context ctx) {
        CurrentUser user = ctx.attribute(AuthHandler.USER_ATTRIBUTE);
        if (user == null) {
            throw new IllegalStateException("route " + ctx.path() + " reads the user but declares no role");
        }
        return user;
    }

    static UUID pathId(Context ctx, String name) {
        String raw = ctx.pathParam(name);
        if (Uuids.isCanonical(raw)) {
            return Uuids.parseCanonical(raw);
        }
        throw RequestException.field(name, "'" + raw + "' is not a UUID (8-4-4-4-12 hex digits)");
    }

    /** {@code ?limit=&cursor=} as a keyset page request. */
    static PageRequest page(Context ctx, boolean newestFirst) {
        int limit = DEFAULT_LIMIT;
        String rawLimit = ctx.queryParam("limit");
        if (rawLimit != null) {
            // Digits only, at most three: no sign, no spaces, nothing Integer.parseInt would overflow on.
            limit = rawLimit.matches("[0-9]{1,3}") ? Integer.parseInt(rawLimit) : -1;
            if (limit < 1 || limit > MAX_LIMIT) {
                throw RequestException.field("limit", "must be a whole number from 1 to " + MAX_LIMIT);
            }
        }
        Cursor after = null;
        String rawCursor = ctx.queryParam("cursor");
        if (rawCursor != null && !rawCursor.isBlank()) {
            try {
                after = Cursor.decode(rawCursor.strip());
            } catch (IllegalArgumentException e) {
                throw RequestException.field("cursor", "is not a next_cursor this list returned");
            }
        }
        return new PageRequest(limit, after, newestFirst);
    }

    static String idempotencyKey(Context ctx) {
        return ctx.header(IDEMPOTENCY_KEY);
    }

    /**
     * The {@code Idempotency-Key} of a route that cannot do without one: absent, the request is
     * refused with 428 Precondition Required (RFC 6585) before anything is read or done.
     */
    static String requiredIdempotencyKey(Context ctx, String because) {
        String key = idempotencyKey(ctx);
        if (key == null) {
            throw new RequestException(
                    428,
                    "this request needs an " + IDEMPOTENCY_KEY + " header, because " + because
                            + "; send a key unique to this request (a UUID, say) and the same key when retrying it",
                    Map.of(IDEMPOTENCY_KEY, "is required"));
        }
        return key;
    }
}
