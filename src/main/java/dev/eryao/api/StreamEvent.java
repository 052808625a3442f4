package dev.eryao.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eryao.services.DeltaView;
import java.util.UUID;

/**
 * A stored piece of a run's stream as the event a stream writes: {@code delta} for a piece of text
 * ({@code {"attempt", "index", "text"}}), {@code tool_call} ({@code {"attempt", "index", "id",
 * "tool", "arguments"}}) or {@code tool_result} ({@code {"attempt", "index", "id", "tool",
 * "result", "error"}}) for the tool events stored in the same sequence. A session's stream adds
 * {@code run_id} first.
 *
 * @param name the event's name
 * @param data its data, JSON
 */
record StreamEvent(String name, String data) {
    static final String DELTA = "delta";

    /** The event of {@code piece}; {@code runId} null for a run's own stream. */
    static StreamEvent of(DeltaView piece, UUID runId, ObjectMapper mapper) throws JsonProcessingException {
        if (piece.textPiece()) {
            Object data = runId == null
                    ? piece
                    : new SessionEventRoutes.SessionDelta(runId, piece.attempt(), piece.index(), piece.text());
            return new StreamEvent(DELTA, mapper.writeValueAsString(data));
        }
        ObjectNode data = mapper.createObjectNode();
        if (runId != null) {
            data.put("run_id", runId.toString());
        }
        data.put("attempt", piece.attempt());
        data.put("index", piece.index());
        // Stored by the worker as the event's own JSON (ToolEvents): id, tool, then arguments or result.
        data.setAll((ObjectNode) mapper.readTree(piece.text()));
        return new StreamEvent(piece.kind(), mapper.writeValueAsString(data));
    }
}
