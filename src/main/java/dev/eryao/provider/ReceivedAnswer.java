package dev.eryao.provider;

import dev.eryao.provider.LlmCallException.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What has arrived of one answer, however it came (streamed or whole): its text, handed to the
 * listener piece by piece unless the call was cancelled, the tool calls it asks for (assembled by
 * index from their pieces: id and name in the first, arguments in any number), its finish reason
 * and the provider's usage; then the {@link Completion}, counted by that usage or, without it, by
 * the {@link TokenEstimate} bounds. The text and the calls' names and arguments together take at
 * most {@link AnswerLimits#answerBytes()}: a model's calls are output like its text.
 */
final class ReceivedAnswer {
    private final ChatRequest call;
    private final CalledModel model;
    private final AnswerLimits limits;
    private final DeltaListener onDelta;
    private final CancelSignal cancel;

    private final StringBuilder text = new StringBuilder();
    private final Map<Integer, CallBeingWritten> calls = new TreeMap<>();
    private long outputBytes;
    /** Bytes of the calls' ids, names and arguments: output the model wrote beside its text. */
    private long callBytes;

    private String finishReason;
    private ChunkDecoder.Usage usage;

    /** One tool call as its pieces arrive. */
    private static final class CallBeingWritten {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }

    ReceivedAnswer(ChatRequest call, AnswerLimits limits, DeltaListener onDelta, CancelSignal cancel) {
        this.call = call;
        this.model = CalledModel.of(call);
        this.limits = limits;
        this.onDelta = onDelta;
        this.cancel = cancel;
    }

    /** One chunk: its text delivered, then its tool calls, finish reason and usage kept. False when cancelled. */
    boolean take(ChunkDecoder.Chunk chunk) {
        if (!chunk.text().isEmpty() && !deliver(chunk.text())) {
            return false; // cancelled: the reader returns what was delivered
        }
        for (ChunkDecoder.ToolCallPiece piece : chunk.toolCalls()) {
            add(piece);
        }
        if (chunk.finishReason() != null) {
            finishReason = chunk.finishReason();
        }
        if (chunk.usage() != null) {
            usage = chunk.usage();
        }
        return true;
    }

    /**
     * A piece of a tool call. The id and name are taken from the first piece that has them (a server
     * that repeats them in every piece is read the same); the arguments are appended.
     */
    private void add(ChunkDecoder.ToolCallPiece piece) {
        CallBeingWritten written = calls.computeIfAbsent(piece.index(), index -> new CallBeingWritten());
        if (written.id == null && piece.id() != null) {
            written.id = piece.id();
            countCall(piece.id());
        }
        if (written.name == null && piece.name() != null) {
            written.name = piece.name();
            countCall(piece.name());
        }
        countCall(piece.arguments());
        written.arguments.append(piece.arguments());
    }

    private void countCall(String output) {
        count(output);
        callBytes += Utf8.length(output);
    }

    private void count(String output) {
        outputBytes += Utf8.length(output);
        if (outputBytes > limits.answerBytes()) {
            throw limits.answerTooLong(model);
        }
    }

    /**
     * Hands a piece to the listener unless the call was cancelled; only what was handed over counts
     * as produced. False when cancelled.
     *
     * @throws LlmCallException when the piece would take the answer past its bound: it is not handed over
     */
    boolean deliver(String piece) {
        count(piece);
        return cancel.deliverUnlessCancelled(() -> {
            text.append(piece);
            onDelta.onDelta(piece);
        });
    }

    /** Whether a finish reason has come: a stream that ends without [DONE] after it is still whole. */
    boolean finished() {
        return finishReason != null;
    }

    /**
     * What arrived, counted by the provider's usage when it came, else by the {@link TokenEstimate}
     * bounds. A cancelled answer's calls are dropped: a call cut short is never made.
     *
     * @throws LlmCallException when a whole answer has a tool call without a name
     */
    Completion completion(boolean cancelled) {
        String produced = text.toString();
        List<ToolCall> toolCalls = cancelled ? List.of() : toolCalls();
        if (usage != null) {
            return new Completion(
                    produced,
                    usage.promptTokens(),
                    usage.completionTokens(),
                    finishReason,
                    false,
                    cancelled,
                    toolCalls);
        }
        return new Completion(
                produced,
                TokenEstimate.promptTokens(call.messages(), call.tools(), call.contextTokens()),
                TokenEstimate.completionTokens(Utf8.length(produced) + callBytes, call.maxTokens()),
                finishReason,
                true,
                cancelled,
                toolCalls);
    }

    /** The calls in the order of their index; one the model sent no id for is named by its index. */
    private List<ToolCall> toolCalls() {
        List<ToolCall> assembled = new ArrayList<>(calls.size());
        for (Map.Entry<Integer, CallBeingWritten> entry : calls.entrySet()) {
            CallBeingWritten written = entry.getValue();
            if (written.name == null || written.name.isEmpty()) {
                throw model.failure(
                        Kind.BAD_ANSWER,
                        model.the() + " asked for tool call " + entry.getKey() + " without naming the tool",
                        false,
                        null);
            }
            String id = written.id == null || written.id.isEmpty() ? "call_" + entry.getKey() : written.id;
            assembled.add(new ToolCall(id, written.name, written.arguments.toString()));
        }
        return List.copyOf(assembled);
    }
}
