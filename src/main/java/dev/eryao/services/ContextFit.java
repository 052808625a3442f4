package dev.eryao.services;

import dev.eryao.models.MessageRole;
import dev.eryao.provider.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages a run sends its model: the run's own input last, and before it as many of the
 * session's earlier messages as fit the model's window with room left for the answer (the output
 * cap, {@link RunPrice}), the newest kept and the oldest dropped first.
 *
 * <p>Sizes are measured with the hold's bound ({@link RunPrice#promptTokenBound}: UTF-8 bytes plus
 * framing per message). No tokenizer makes more tokens than that, so a fitted prompt is never
 * refused by the provider as too long, and the same bound prices the run; the cost is that on a
 * small window fewer earlier messages are sent than an exact count would allow. A model with no
 * window in the catalog gets every earlier message read (at most
 * {@link RunExecutionService#CONTEXT_MESSAGES}).
 *
 * @param messages the conversation to send, oldest first, or empty when {@code problem} is set
 * @param problem  why the run's input cannot be sent at all, or null
 */
record ContextFit(List<ChatMessage> messages, String problem) {
    /**
     * @param newestFirst the session's latest messages, newest first; the run's input is among them
     *                    (runs queued after it on the same session may have added newer ones)
     * @param input       the run's own input
     */
    static ContextFit of(List<ChatMessage> newestFirst, String input, RunPrice price) {
        List<ChatMessage> earlier = before(newestFirst, input);
        ChatMessage own = new ChatMessage(MessageRole.USER.wireName(), input);
        Integer window = price.contextTokens();
        long budget = window == null ? Long.MAX_VALUE : (long) window - price.outputCap();
        long used = RunPrice.promptTokenBound(List.of(input));
        if (used > budget) {
            return new ContextFit(
                    List.of(),
                    "the input does not fit the model's context window: it may take up to "
                            + used + " tokens, and the window of " + window + " tokens keeps " + price.outputCap()
                            + " for the answer");
        }
        List<ChatMessage> kept = new ArrayList<>();
        for (ChatMessage message : earlier) {
            long size = RunPrice.promptTokenBound(List.of(message.content())) - RunPrice.TOKENS_PER_MESSAGE;
            if (used + size > budget) {
                break;
            }
            used += size;
            kept.add(message);
        }
        List<ChatMessage> sent = new ArrayList<>(kept.reversed());
        sent.add(own);
        return new ContextFit(List.copyOf(sent), null);
    }

    /** The messages older than the run's own input message, newest first. */
    private static List<ChatMessage> before(List<ChatMessage> newestFirst, String input) {
        for (int i = 0; i < newestFirst.size(); i++) {
            ChatMessage message = newestFirst.get(i);
            if (message.role().equals(MessageRole.USER.wireName())
                    && message.content().equals(input)) {
                return newestFirst.subList(i + 1, newestFirst.size());
            }
        }
        return List.of();
    }
}
