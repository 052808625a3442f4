package dev.eryao.models;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where an agent run stands; stored, and sent in JSON, as its lower-case wire name. */
public enum RunStatus {
    QUEUED,
    RUNNING,
    /** parked: a call it made waits for its owner's approval or denial */
    REQUIRES_APPROVAL,
    /** parked: a call of one of its client's tools waits for the client's output */
    REQUIRES_ACTION,
    SUCCEEDED,
    FAILED,
    CANCELLED,
    /** it waited for its owner longer than ERYAO_RUNS__PARKED_EXPIRY_SECONDS */
    EXPIRED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static RunStatus fromWireName(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED || this == EXPIRED;
    }

    /** Waiting for its owner: no worker holds it, and it is queued again once every pending call is decided. */
    public boolean parked() {
        return this == REQUIRES_APPROVAL || this == REQUIRES_ACTION;
    }
}
