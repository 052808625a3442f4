package dev.eryao.core.db;

import java.util.List;
import java.util.function.Function;

/**
 * One page of rows and where the next one starts.
 *
 * @param next the cursor for the following page, or null when this is the last one
 */
public record Page<T>(List<T> items, Cursor next) {
    public Page {
        items = List.copyOf(items);
    }

    public <R> Page<R> map(Function<? super T, ? extends R> mapper) {
        return new Page<>(items.stream().<R>map(mapper).toList(), next);
    }
}
