package dev.eryao.models;

import dev.eryao.core.db.BaseEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.hibernate.annotations.Immutable;

/**
 * A short-lived ticket that opens one event stream ({@code streamPath}) for its owner without an
 * {@code Authorization} header, as a browser's {@code EventSource} must. Only the SHA-256 of the
 * ticket is stored, so a row that is read (the read-only tools, a backup) opens nothing. Written
 * once and never changed; expired rows are swept when new tickets are issued.
 */
@Entity
@Immutable
@Table(
        name = "stream_ticket",
        indexes = {
            @Index(name = "ix_stream_ticket_ticket_hash", columnList = "ticket_hash", unique = true),
            @Index(name = "ix_stream_ticket_expires_at", columnList = "expires_at")
        })
public class StreamTicket extends BaseEntity {
    @Column(name = "ticket_hash", nullable = false, updatable = false, columnDefinition = "text")
    private String ticketHash;

    @Column(name = "owner_id", nullable = false, updatable = false)
    private UUID ownerId;

    @Column(name = "stream_path", nullable = false, updatable = false, columnDefinition = "text")
    private String streamPath;

    @Column(name = "expires_at", nullable = false, updatable = false)
    private Instant expiresAt;

    protected StreamTicket() {}

    public StreamTicket(String ticketHash, UUID ownerId, String streamPath, Instant expiresAt) {
        this.ticketHash = Objects.requireNonNull(ticketHash, "ticketHash");
        this.ownerId = Objects.requireNonNull(ownerId, "ownerId");
        this.streamPath = Objects.requireNonNull(streamPath, "streamPath");
        this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    }

    public String getTicketHash() {
        return ticketHash;
    }

    public UUID getOwnerId() {
        return ownerId;
    }

    public String getStreamPath() {
        return streamPath;
    }

    public Instant getExpiresAt() {
        return expiresAt;
    }
}
