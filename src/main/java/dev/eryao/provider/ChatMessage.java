package dev.eryao.provider;

/** One message of a chat-completions request: {@code role} is system, user, assistant or tool. */
public record ChatMessage(String role, String content) {}
