package dev.eryao.core.db;

import jakarta.persistence.Column;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PrePersist;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.hibernate.annotations.ColumnDefault;
import org.hibernate.annotations.UuidGenerator;

/**
 * What every table has: a UUID primary key (version 7, so new rows land at the right end of the
 * index) and {@code created_at}. Append-only models (the points ledger) extend this directly;
 * everything that can change extends {@link UpdatableEntity}.
 */
@MappedSuperclass
public abstract class BaseEntity {
    @Id
    @UuidGenerator(style = UuidGenerator.Style.VERSION_7)
    @ColumnDefault("gen_random_uuid()")
    @Column(name = "id", nullable = false, updatable = false)
    private UUID id;

    @ColumnDefault("now()")
    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    protected BaseEntity() {}

    @PrePersist
    void stampCreation() {
        createdAt = Timestamps.now();
    }

    public UUID getId() {
        return id;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    /** Where this row stands in a {@code created_at, id} keyset ordering. */
    public Cursor cursor() {
        return new Cursor(createdAt, id);
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        return other instanceof BaseEntity entity
                && id != null
                && entity.getClass() == getClass()
                && id.equals(entity.id);
    }

    @Override
    public int hashCode() {
        return Objects.hash(getClass());
    }
}
