package dev.eryao.models;

/** Who wrote a chat message; stored lower-case, as the chat-completions protocol spells it. */
public enum MessageRole {
    SYSTEM, USER, ASSISTANT, TOOL;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static MessageRole fromWireName(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
