package dev.eryao.models;

/** Where an agent run stands; stored lower-case. */
public enum RunStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

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
