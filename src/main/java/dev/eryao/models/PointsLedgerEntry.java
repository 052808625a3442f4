package dev.eryao.models;

import dev.eryao.core.db.BaseEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.util.UUID;
import org.hibernate.annotations.Immutable;

/**
 * One row of the append-only {@code points_ledger}: a signed change of an owner's points and the
 * balance after it. It has no {@code deleted_at} and no {@code updated_at}: rows are never changed
 * or removed, and the database refuses UPDATE, DELETE and TRUNCATE.
 */
@Entity
@Immutable
@Table(
        name = "points_ledger",
        indexes = {
            @Index(
                    name = "ix_points_ledger_owner_id_idempotency_key",
                    columnList = "owner_id, idempotency_key",
                    unique = true,
                    options = "WHERE idempotency_key IS NOT NULL"),
            @Index(name = "ix_points_ledger_owner_id_created_at_id", columnList = "owner_id, created_at DESC, id DESC"),
            @Index(name = "ix_points_ledger_reference_type_reference_id", columnList = "reference_type, reference_id")
        })
public class PointsLedgerEntry extends BaseEntity {
    @Column(name = "owner_id", nullable = false)
    private UUID ownerId;

    @Column(name = "amount", nullable = false)
    private long amount;

    @Column(name = "balance_after", nullable = false)
    private long balanceAfter;

    @Column(name = "reason", nullable = false, length = 200)
    private String reason;

    @Column(name = "reference_type", length = 50)
    private String referenceType;

    @Column(name = "reference_id")
    private UUID referenceId;

    @Column(name = "idempotency_key", length = 200)
    private String idempotencyKey;

    protected PointsLedgerEntry() {}

    public PointsLedgerEntry(
            UUID ownerId,
            long amount,
            long balanceAfter,
            String reason,
            String referenceType,
            UUID referenceId,
            String idempotencyKey) {
        this.ownerId = ownerId;
        this.amount = amount;
        this.balanceAfter = balanceAfter;
        this.reason = reason;
        this.referenceType = referenceType;
        this.referenceId = referenceId;
        this.idempotencyKey = idempotencyKey;
    }

    public UUID getOwnerId() {
        return ownerId;
    }

    public long getAmount() {
        return amount;
    }

    public long getBalanceAfter() {
        return balanceAfter;
    }

    public String getReason() {
        return reason;
    }

    public String getReferenceType() {
        return referenceType;
    }

    public UUID getReferenceId() {
        return referenceId;
    }

    public String getIdempotencyKey() {
        return idempotencyKey;
    }
}
