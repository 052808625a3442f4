package dev.eryao.api;

import dev.eryao.core.db.Page;
import java.util.List;

/** A keyset page on the wire: pass {@code next_cursor} back as {@code ?cursor=}; null on the last page. */
record PageBody<T>(List<T> items, String nextCursor) {
    static <T> PageBody<T> of(Page<T> page) {
        return new PageBody<>(
                page.items(), page.next() == null ? null : page.next().encode());
    }
}
