package dev.eryao.models;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Who wrote a chat message; stored, and sent in JSON, lower-case, as the chat-completions protocol
 * spells it.
 */
public enum MessageRole {
    SYSTEM,
    USER,
    ASSISTANT,
    TOOL;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static MessageRole fromWireName(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
