package dev.eryao.provider;

/**
 * One server-sent event, as {@link SseParser} dispatches it.
 *
 * @param type the {@code event} field, or {@code message} when the event had none (as the format says)
 * @param data the {@code data} lines, joined with {@code \n}
 * @param id   this event's own {@code id} field, or null when it had none (the id a reconnecting client
 *             sends is {@link SseParser#lastEventId()}, which outlives the event that set it)
 */
public record SseEvent(String type, String data, String id) {}
