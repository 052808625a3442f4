package dev.eryao.core.db;

import java.util.List;
import java.util.stream.Stream;
import org.hibernate.query.SelectionQuery;

/**
 * An HQL or criteria selection a repository runs: Hibernate's {@link SelectionQuery} reduced to
 * binding, limiting and reading. Hibernate's own query object is not handed out because its
 * implementation is also a {@code Query}, whose {@code unwrap} and {@code getSession} lead back
 * to the real session. Method names are Hibernate's, so code moves over by its factory call only.
 *
 * @param <R> the type of a result row
 */
public final class Select<R> {
    private final SelectionQuery<R> query;

    Select(SelectionQuery<R> query) {
        this.query = query;
    }

    public Select<R> setParameter(String name, Object value) {
        query.setParameter(name, value);
        return this;
    }

    /** Binds a value whose type cannot be inferred from itself, typically a null. */
    public <P> Select<R> setParameter(String name, P value, Class<P> type) {
        query.setParameter(name, value, type);
        return this;
    }

    public Select<R> setMaxResults(int maxResults) {
        query.setMaxResults(maxResults);
        return this;
    }

    public Select<R> setFirstResult(int firstResult) {
        query.setFirstResult(firstResult);
        return this;
    }

    public List<R> getResultList() {
        return query.getResultList();
    }

    /** The rows as a stream; close it (or consume it fully) to release its cursor. */
    public Stream<R> getResultStream() {
        return query.getResultStream();
    }

    /** @throws jakarta.persistence.NoResultException when there is no row */
    public R getSingleResult() {
        return query.getSingleResult();
    }

    /** The one row, or null when there is none. */
    public R getSingleResultOrNull() {
        return query.getSingleResultOrNull();
    }
}
