package dev.eryao.services;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.models.RunStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The calls a parked run waits on, and its owner's answers to them as they come: an approval or a
 * denial for a registered tool that needs one, an output for a client's tool. Stored with the run
 * ({@code agent_run.pending_calls}); the run is queued again once every call is answered, and the
 * attempt that resumes it reads the answers from here.
 */
public final class PendingCalls {
    /** The most text a client tool's output may be: what a registered tool's result is cut to. */
    public static final int OUTPUT_CHARS = 65_536;
    /** A denial's reason goes back to the model: a sentence or a paragraph, not a document. */
    static final int REASON_CHARS = 2_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<PendingCall> calls;

    private PendingCalls(List<PendingCall> calls) {
        this.calls = List.copyOf(calls);
    }

    public static PendingCalls of(List<PendingCall> calls) {
        return new PendingCalls(calls);
    }

    public static PendingCalls none() {
        return new PendingCalls(List.of());
    }

    public static PendingCalls parse(String json) {
        if (json == null || json.isEmpty()) {
            return new PendingCalls(List.of());
        }
        try {
            return new PendingCalls(JSON.readValue(json, new TypeReference<List<PendingCall>>() {}));
        } catch (IOException e) {
            throw new UncheckedIOException("a run's stored pending calls cannot be read", e);
        }
    }

    public String json() {
        try {
            return JSON.writeValueAsString(calls);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<PendingCall> all() {
        return calls;
    }

    /** The call with this id, decided or not. */
    public Optional<PendingCall> call(String id) {
        return calls.stream().filter(call -> call.id().equals(id)).findFirst();
    }

    /**
     * The owner's answer to {@code call}: the answered pending call with its id, tool and arguments
     * all the same (an answer is to that very call, never to another that shares its id).
     */
    public Optional<PendingCall> answerTo(dev.eryao.provider.ToolCall call) {
        return call(call.id())
                .filter(PendingCall::decided)
                .filter(answered -> answered.tool().equals(call.name())
                        && answered.arguments().equals(call.argumentsJson()));
    }

    public boolean allDecided() {
        return calls.stream().allMatch(PendingCall::decided);
    }

    /**
     * Where a run waiting on these stands: queued once all are answered, else waiting for an
     * approval while one is undecided, else for a client's output.
     */
    public RunStatus status() {
        if (allDecided()) {
            return RunStatus.QUEUED;
        }
        boolean approvals =
                calls.stream().anyMatch(call -> !call.decided() && call.kind().equals(PendingCall.APPROVAL));
        return approvals ? RunStatus.REQUIRES_APPROVAL : RunStatus.REQUIRES_ACTION;
    }

    /** One answer of the owner's: an approval or denial, or a client tool's output. */
    record Answer(String callId, String decision, String reason, String output) {}

    /**
     * These calls with {@code answers} taken: each must name a call of {@code kind}; one already
     * answered the same way is taken again as it is (a repeated request is harmless), one answered
     * otherwise is a 409.
     *
     * @throws InvalidInputException naming {@code field} for an answer that names no pending call of
     *                               that kind, or names one twice
     * @throws ConflictException     for a call already answered otherwise
     */
    PendingCalls answered(String field, String kind, List<Answer> answers) {
        if (answers == null || answers.isEmpty()) {
            throw InvalidInputException.field(field, "must name at least one pending call");
        }
        List<PendingCall> after = new ArrayList<>(calls);
        Set<String> named = new HashSet<>();
        for (Answer answer : answers) {
            if (answer == null || answer.callId() == null) {
                throw InvalidInputException.field(field, "holds an entry without tool_call_id");
            }
            if (!named.add(answer.callId())) {
                throw InvalidInputException.field(field, "names the call " + answer.callId() + " twice");
            }
            int at = indexOf(after, answer.callId());
            if (at < 0 || !after.get(at).kind().equals(kind)) {
                throw InvalidInputException.field(
                        field,
                        "names " + quoted(answer.callId()) + ", which is not a call this run waits on for "
                                + (kind.equals(PendingCall.APPROVAL) ? "an approval" : "a client tool's output"));
            }
            PendingCall call = after.get(at);
            PendingCall decided = call.decidedAs(answer.decision(), answer.reason(), answer.output());
            if (call.decided()) {
                if (!call.equals(decided)) {
                    throw new ConflictException(
                            "the call " + call.id() + " was already answered (" + call.decision() + ")");
                }
                continue;
            }
            after.set(at, decided);
        }
        return new PendingCalls(after);
    }

    private static int indexOf(List<PendingCall> calls, String id) {
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private static String quoted(String id) {
        return "'" + (id.length() <= 64 ? id : id.substring(0, 64) + "...") + "'";
    }
}
