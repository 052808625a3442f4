package dev.eryao.worker;

import dev.eryao.core.SafeTrace;
import dev.eryao.provider.CancelSignal;
import dev.eryao.provider.ToolCall;
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

    /** Why the call cannot be made (no such tool offered, arguments the schema refuses), or null when it can. */
    static String refusal(RunContext run, ToolCall call) {
        Optional<RegisteredTool> tool = toolOf(run, call);
        if (tool.isEmpty()) {
            String name = call.name().length() <= QUOTED_NAME_CHARS
                    ? call.name()
                    : call.name().substring(0, QUOTED_NAME_CHARS) + "...";
            return "no tool named '" + name + "' is offered to this run";
        }
        if (tool.get().requiresApproval()) {
            // Approvals (parking the run for its owner) are not built yet: never call such a tool unasked.
            return "the tool " + tool.get().name() + " needs its owner's approval for each call, which this run"
                    + " cannot ask for yet: it was not called";
        }
        return ToolArguments.problem(tool.get().inputSchemaJson(), call.argumentsJson());
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
