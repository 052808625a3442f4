package dev.eryao.models;

import com.fasterxml.jackson.annotation.JsonValue;

/** Where an agent run stands; stored, and sent in JSON, as its lower-case wire name. */
public enum RunStatus {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static RunStatus fromWireName(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
