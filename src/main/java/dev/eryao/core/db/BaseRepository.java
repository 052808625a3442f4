package dev.eryao.core.db;

import jakarta.persistence.FindOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.hibernate.annotations.SoftDelete;
import org.hibernate.query.Order;
import org.hibernate.query.restriction.Restriction;
import org.hibernate.query.specification.SelectionSpecification;
import org.hibernate.query.specification.SimpleProjectionSpecification;

/**
 * The seed's {@code BaseRepository[T]}, Java-named: {@code getById}, {@code getOne(filters...)},
 * {@code updateById}, {@code softDeleteById}, plus what list endpoints need.
 *
 * <p>Soft delete lives in the mapping, not here: a model annotated {@code @SoftDelete(columnName =
 * "deleted_at", strategy = TIMESTAMP)} has {@code deleted_at is null} added by Hibernate to every
 * read of it — these methods, a subclass's own HQL or criteria queries, and loads by id — so no
 * query path can return a deleted row by forgetting a filter. Native SQL is the one exception and
 * must say {@code deleted_at is null} itself. A model without {@code deleted_at} refuses
 * {@link #softDeleteById}.
 *
 * <p>Repositories flush but never begin, commit or roll back: they run inside a service's unit of
 * work and reach it through {@link CurrentSession} as a {@link RepositorySession}, which has no
 * transaction control to offer.
 */
public abstract class BaseRepository<T extends BaseEntity> {
    private static final FindOption[] NO_FIND_OPTIONS = {};

    private final CurrentSession sessions;
    private final Class<T> model;
    private final boolean softDeletable;

    protected BaseRepository(CurrentSession sessions, Class<T> model) {
        this.sessions = sessions;
        this.model = model;
        this.softDeletable = model.isAnnotationPresent(SoftDelete.class);
    }

    /**
     * The row with this id, unless it is missing or soft-deleted.
     *
     * <p>Deliberately {@code find(model, id, FindOption...)}: Hibernate's two-argument {@code find}
     * answers null when the JDBC call fails inside a transaction it has marked rollback-only
     * (HHH-12472), so a lost database connection would read as "not found" (a 404 instead of a 503).
     * The {@code FindOption} form lets the failure through.
     */
    public Optional<T> getById(UUID id) {
        return Optional.ofNullable(session().find(model, id, NO_FIND_OPTIONS));
    }

    /**
     * The one row matching every filter, or empty.
     *
     * @throws jakarta.persistence.NonUniqueResultException when more than one row matches
     */
    @SafeVarargs
    public final Optional<T> getOne(Restriction<? super T>... filters) {
        return Optional.ofNullable(query(select(filters)).getSingleResultOrNull());
    }

    /** Rows matching {@code filter}, in {@code order}, at most {@code limit} of them. */
    @SafeVarargs
    public final List<T> list(Restriction<? super T> filter, int limit, Order<? super T>... order) {
        SelectionSpecification<T> spec = select(filter);
        for (Order<? super T> each : order) {
            spec.sort(each);
        }
        return query(spec).setMaxResults(limit).getResultList();
    }

    @SafeVarargs
    public final long count(Restriction<? super T>... filters) {
        SimpleProjectionSpecification<T, Long> counting = select(filters).createCountProjection();
        return session().select(session -> counting.createQuery(session)).getSingleResult();
    }

    /**
     * One keyset page of the rows matching {@code filter}, ordered by {@code (created_at, id)}. The
     * cost of a page does not grow with its depth, unlike OFFSET paging.
     */
    public Page<T> page(Restriction<? super T> filter, PageRequest request) {
        Order<BaseEntity> byTime =
                request.newestFirst() ? Order.desc(BaseEntity_.createdAt) : Order.asc(BaseEntity_.createdAt);
        Order<BaseEntity> byId = request.newestFirst() ? Order.desc(BaseEntity_.id) : Order.asc(BaseEntity_.id);
        Restriction<? super T> where = request.after() == null
                ? filter
                : Restriction.all(filter, after(request.after(), request.newestFirst()));
        List<T> rows = new ArrayList<>(list(where, request.limit() + 1, byTime, byId));
        if (rows.size() <= request.limit()) {
            return new Page<>(rows, null);
        }
        List<T> items = rows.subList(0, request.limit());
        return new Page<>(items, items.getLast().cursor());
    }

    /** Inserts {@code entity} and flushes, so database constraints are checked here. */
    public T add(T entity) {
        RepositorySession session = session();
        session.persist(entity);
        session.flush();
        return entity;
    }

    /**
     * Applies {@code changes} to the row with this id and flushes ({@code updated_at} moves with it).
     * The seed passes a dict of columns; here the changes are calls on the model, so they are
     * type-checked and keep the model's own validation.
     */
    public Optional<T> updateById(UUID id, Consumer<? super T> changes) {
        Optional<T> found = getById(id);
        found.ifPresent(entity -> {
            changes.accept(entity);
            session().flush();
        });
        return found;
    }

    /**
     * Sets {@code deleted_at} to the current time (UTC) on the row with this id; from then on no
     * read returns it. False when there was no such live row.
     *
     * @throws UnsupportedOperationException for a model that has no {@code deleted_at}
     */
    public boolean softDeleteById(UUID id) {
        if (!softDeletable) {
            throw new UnsupportedOperationException(
                    model.getSimpleName() + " has no deleted_at column: its rows are never deleted");
        }
        Optional<T> found = getById(id);
        found.ifPresent(entity -> {
            session().remove(entity);
            session().flush();
        });
        return found.isPresent();
    }

    public boolean supportsSoftDelete() {
        return softDeletable;
    }

    /**
     * The running unit of work, for subclasses' own queries: find, persist, remove, flush, HQL and
     * native statements, but no transaction control (see {@link RepositorySession}).
     */
    protected final RepositorySession session() {
        return sessions.session();
    }

    protected final Class<T> model() {
        return model;
    }

    /** A selection of this model restricted by every filter, for subclasses to sort or project. */
    @SafeVarargs
    protected final SelectionSpecification<T> select(Restriction<? super T>... filters) {
        SelectionSpecification<T> spec = SelectionSpecification.create(model);
        Arrays.stream(filters).forEach(spec::restrict);
        return spec;
    }

    private Select<T> query(SelectionSpecification<T> spec) {
        return session().select(session -> spec.createQuery(session));
    }

    private static Restriction<BaseEntity> after(Cursor cursor, boolean descending) {
        Restriction<BaseEntity> earlierTime = descending
                ? Restriction.lessThan(BaseEntity_.createdAt, cursor.createdAt())
                : Restriction.greaterThan(BaseEntity_.createdAt, cursor.createdAt());
        Restriction<BaseEntity> sameTimeEarlierId = Restriction.all(
                Restriction.equal(BaseEntity_.createdAt, cursor.createdAt()),
                descending
                        ? Restriction.lessThan(BaseEntity_.id, cursor.id())
                        : Restriction.greaterThan(BaseEntity_.id, cursor.id()));
        return Restriction.any(earlierTime, sameTimeEarlierId);
    }
}
