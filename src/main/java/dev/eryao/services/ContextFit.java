package dev.eryao.services;

import dev.eryao.models.MessageRole;
import dev.eryao.provider.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages a run sends its model: its own question last, and before it as many of the messages
 * its question follows as fit the model's window with room left for the answer (the output cap,
 * {@link RunPrice}), the newest kept and the oldest dropped first.
 *
 * <p>What a run is sent is its question's chain, by ids ({@code parent_id}), never by text: a
 * regenerated run's chain ends at the question it answers again (the earlier answer is not on it),
 * and a branch's run is sent that branch only. A question left without an answer (its run failed,
 * or was cancelled before its model wrote anything) stays in the session for its owner to see,
 * but is not sent to later runs: the model is not asked, as if still open, a question whose run
 * has ended. A stopped answer (its run cancelled or interrupted while its model wrote) is sent as
 * what it is, the text the owner saw.
 *
 * <p>An answer whose run called tools is sent with them, between its question and itself: the
 * assistant's messages with their calls and the tool results, as that run's model saw them, so a
 * later run knows what the tools returned. They are measured with the answer, and kept or dropped
 * with it as one: a tool result is never sent without the call it answers, which providers refuse.
 *
 * <p>Sizes are measured with the hold's bound ({@link RunPrice#promptTokenBound}: UTF-8 bytes plus
 * framing per message). No tokenizer makes more tokens than that, so a fitted prompt is never
 * refused by the provider as too long, and the same bound prices the run; the cost is that on a
 * small window fewer earlier messages are sent than an exact count would allow. A model with no
 * window in the catalog gets the whole chain read (at most {@link RunExecutionService#CONTEXT_MESSAGES},
 * with the calls and results of at most {@link RunExecutionService#CONTEXT_STEPS} steps).
 *
 * @param messages the conversation to send, oldest first, or empty when {@code problem} is set
 * @param problem  why the run's question cannot be sent at all, or null
 */
record ContextFit(List<ChatMessage> messages, String problem) {
    /**
     * A message of the run's chain, with the tool messages sent before it.
     *
     * @param toolMessages for an answer, its run's tool calls and results, oldest first; else none
     */
    record Link(ChatMessage message, List<ChatMessage> toolMessages) {
        Link {
            toolMessages = List.copyOf(toolMessages);
        }

        Link(ChatMessage message) {
            this(message, List.of());
        }

        /** What the message and its tool messages add to the prompt's bound. */
        long tokenBound() {
            long bound = RunPrice.messageTokenBound(message);
            for (ChatMessage tool : toolMessages) {
                bound += RunPrice.messageTokenBound(tool);
            }
            return bound;
        }
    }

    /** @param chain the run's question first, then the messages it follows, newest first */
    static ContextFit of(List<Link> chain, RunPrice price) {
        ChatMessage own = chain.getFirst().message();
        Integer window = price.contextTokens();
        long budget = window == null ? Long.MAX_VALUE : (long) window - price.outputCap();
        long used = RunPrice.promptTokenBoundOf(List.of(own));
        if (used > budget) {
            return new ContextFit(
                    List.of(),
                    "the input does not fit the model's context window: it may take up to "
                            + used + " tokens, and the window of " + window + " tokens keeps " + price.outputCap()
                            + " for the answer");
        }
        List<Link> kept = new ArrayList<>();
        for (Link link : answered(chain)) {
            long size = link.tokenBound();
            if (used + size > budget) {
                break;
            }
            used += size;
            kept.add(link);
        }
        List<ChatMessage> sent = new ArrayList<>();
        for (Link link : kept.reversed()) {
            sent.addAll(link.toolMessages());
            sent.add(link.message());
        }
        sent.add(own);
        return new ContextFit(List.copyOf(sent), null);
    }

    /**
     * The messages before the question, newest first, without the questions that have no answer: a
     * user message followed on the chain by another user message.
     */
    private static List<Link> answered(List<Link> chain) {
        List<Link> earlier = new ArrayList<>();
        for (int i = 1; i < chain.size(); i++) {
            boolean unanswered = isQuestion(chain.get(i)) && isQuestion(chain.get(i - 1));
            if (!unanswered) {
                earlier.add(chain.get(i));
            }
        }
        return earlier;
    }

    private static boolean isQuestion(Link link) {
        return link.message().role().equals(MessageRole.USER.wireName());
    }
}
