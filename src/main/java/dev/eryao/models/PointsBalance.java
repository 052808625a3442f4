package dev.eryao.models;

import dev.eryao.core.db.UpdatableEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.util.UUID;
import org.hibernate.annotations.ColumnDefault;

/**
 * An owner's current points, kept equal to the sum of their ledger rows. Changed only by the
 * points repository's conditional UPDATE, never by loading and saving this entity, so concurrent
 * debits cannot overdraw it.
 */
@Entity
@Table(
        name = "points_balance",
        indexes = {@Index(name = "ix_points_balance_owner_id", columnList = "owner_id", unique = true)})
public class PointsBalance extends UpdatableEntity {
    @Column(name = "owner_id", nullable = false, updatable = false)
    private UUID ownerId;

    @ColumnDefault("0")
    @Column(name = "balance", nullable = false)
    private long balance;

    // the sum of the open holds: what the owner's queued and running runs may still cost
    @ColumnDefault("0")
    @Column(name = "held", nullable = false)
    private long held;

    protected PointsBalance() {}

    public UUID getOwnerId() {
        return ownerId;
    }

    public long getBalance() {
        return balance;
    }

    public long getHeld() {
        return held;
    }
}
