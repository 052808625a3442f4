package dev.eryao.services.tools;

import dev.eryao.provider.CancelSignal;
import dev.eryao.services.InvalidInputException;
import java.util.List;

/**
 * {@link RegisteredTools} where no tool server is registered: a selection that names any tool is
 * refused, and no call is ever made.
 */
public final class NoRegisteredTools implements RegisteredTools {
    @Override
    public List<RegisteredTool> resolve(List<String> selection) {
        if (selection.isEmpty()) {
            return List.of();
        }
        throw InvalidInputException.field(
                "tools", "no tool server is registered, so '" + selection.getFirst() + "' names none");
    }

    @Override
    public ToolOutcome call(RegisteredTool tool, String argumentsJson, CancelSignal cancel) {
        return ToolOutcome.error("the tool " + tool.name() + " is not registered");
    }
}
