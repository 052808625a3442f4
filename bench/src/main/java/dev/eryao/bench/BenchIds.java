package dev.eryao.bench;

import java.util.UUID;

/**
 * The benchmark fixture's ids, computed from a number so that pgbench (which only has integer
 * variables) and the application address the same rows: owner i, and owner i's one session.
 */
final class BenchIds {
    static final String OWNER_PREFIX = "b0000000-0000-4000-8000-";
    static final String SESSION_PREFIX = "c0000000-0000-4000-8000-";

    private BenchIds() {
    }

    static UUID owner(int i) {
        return UUID.fromString(OWNER_PREFIX + "%012d".formatted(i));
    }

    static UUID session(int i) {
        return UUID.fromString(SESSION_PREFIX + "%012d".formatted(i));
    }

    /** The same id as SQL over a pgbench variable, e.g. {@code sql(OWNER_PREFIX, "i")}. */
    static String sql(String prefix, String variable) {
        return "('" + prefix + "' || lpad(:" + variable + "::text, 12, '0'))::uuid";
    }
}
