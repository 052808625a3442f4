package dev.eryao.core.db;

/**
 * Which page of a keyset-paged list to read.
 *
 * @param limit       rows per page, at least 1
 * @param after       where the previous page ended, or null for the first page
 * @param newestFirst order by {@code created_at, id} descending (true) or ascending
 */
public record PageRequest(int limit, Cursor after, boolean newestFirst) {
    public PageRequest {
        if (limit < 1) {
            throw new IllegalArgumentException("page limit must be at least 1, was " + limit);
        }
    }

    public static PageRequest newestFirst(int limit, Cursor after) {
        return new PageRequest(limit, after, true);
    }

    public static PageRequest oldestFirst(int limit, Cursor after) {
        return new PageRequest(limit, after, false);
    }
}
