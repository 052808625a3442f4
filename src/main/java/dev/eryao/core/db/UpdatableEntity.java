package dev.eryao.core.db;

import jakarta.persistence.Column;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PrePersist;
import jakarta.persistence.PreUpdate;
import java.time.Instant;
import org.hibernate.annotations.ColumnDefault;

/** A {@link BaseEntity} that can change: {@code updated_at} moves on every update that is flushed. */
@MappedSuperclass
public abstract class UpdatableEntity extends BaseEntity {
    @ColumnDefault("now()")
    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected UpdatableEntity() {}

    @PrePersist
    void stampFirstUpdate() {
        updatedAt = getCreatedAt() != null ? getCreatedAt() : Timestamps.now();
    }

    @PreUpdate
    void stampUpdate() {
        updatedAt = Timestamps.now();
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }
}
