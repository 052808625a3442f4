package dev.eryao.worker;

import dev.eryao.core.SafeTrace;
import dev.eryao.provider.CancelSignal;
import dev.eryao.provider.ToolCall;
import dev.eryao.services.ClientTool;
import dev.eryao.services.ClientTools;
import dev.eryao.services.RunContext;
import dev.eryao.services.tools.RegisteredTool;
import dev.eryao.services.tools.RegisteredTools;
import dev.eryao.services.tools.ToolArguments;
import dev.eryao.services.tools.ToolOutcome;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs one tool call a run's model asked for, treating everything about it as untrusted: a
 * tool the run is not offered, or arguments its input schema refuses, is an error result the model
 * sees — never a call; a tool that fails in any way is an error result too, never a crash; and a
 * result is cut to {@value #RESULT_CHARS} characters before it is stored or sent on.
 */
final class ToolStep {
    /** The most of a result kept: far more than a model needs to read, little enough to store and resend. */
    static final int RESULT_CHARS = 65_536;
    /** How much of a name the model made up is quoted back to it. */
    private static final int QUOTED_NAME_CHARS = 64;

    private static final Logger log = LoggerFactory.getLogger(ToolStep.class);

    private final RegisteredTools registered;

    ToolStep(RegisteredTools registered) {
        this.registered = registered;
    }

    /** The offered tool the call names, if any. */
    static Optional<RegisteredTool> toolOf(RunContext run, ToolCall call) {
        return run.registeredTool(call.name());
    }

    /**
     * Why the call cannot be made (no such tool offered, arguments the schema refuses), or null when
     * it can. Checked before the owner is asked: a call that cannot be made is an error result the
     * model sees, never a question to its owner.
     */
    static String refusal(RunContext run, ToolCall call) {
        Optional<ClientTool> clientTool = run.clientTool(call.name());
        if (clientTool.isPresent()) {
            return ToolArguments.problem(ClientTools.schemaOf(clientTool.get()), call.argumentsJson());
        }
        Optional<RegisteredTool> tool = toolOf(run, call);
        if (tool.isEmpty()) {
            String name = call.name().length() <= QUOTED_NAME_CHARS
                    ? call.name()
                    : call.name().substring(0, QUOTED_NAME_CHARS) + "...";
            return "no tool named '" + name + "' is offered to this run";
        }
        return ToolArguments.problem(tool.get().inputSchemaJson(), call.argumentsJson());
    }

    /**
     * Whether the (makeable) call waits for the run's owner: a client's tool waits for its output, a
     * registered tool marked so for an approval.
     */
    static boolean waitsForOwner(RunContext run, ToolCall call) {
        return run.clientTool(call.name()).isPresent()
                || toolOf(run, call).map(RegisteredTool::requiresApproval).orElse(false);
    }

    /** Calls the tool (the call was checked by {@link #refusal}); whatever it does, an outcome. */
    ToolOutcome call(RunContext run, RegisteredTool tool, ToolCall call, CancelSignal cancel) {
        ToolOutcome outcome;
        try {
            outcome = registered.call(tool, ToolArguments.normalized(call.argumentsJson()), cancel);
        } catch (RuntimeException e) {
            log.warn(
                    "run {}: the call of tool {} met an unexpected {}: {}",
                    run.runId(),
                    tool.name(),
                    e.getClass().getSimpleName(),
                    SafeTrace.of(e));
            outcome = ToolOutcome.error(
                    "the tool " + tool.name() + " failed (" + e.getClass().getSimpleName() + ")");
        }
        if (outcome == null) {
            return ToolOutcome.error("the tool " + tool.name() + " gave no result");
        }
        return bounded(outcome);
    }

    static ToolOutcome bounded(ToolOutcome outcome) {
        String content = outcome.content() == null ? "" : outcome.content();
        if (content.length() <= RESULT_CHARS) {
            return new ToolOutcome(content, outcome.error());
        }
        int end = RESULT_CHARS;
        if (Character.isHighSurrogate(content.charAt(end - 1))) {
            end--;
        }
        return new ToolOutcome(
                content.substring(0, end) + "\n[cut: the result was longer than " + RESULT_CHARS + " characters]",
                outcome.error());
    }
}
