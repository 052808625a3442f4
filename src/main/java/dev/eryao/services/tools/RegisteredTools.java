package dev.eryao.services.tools;

import dev.eryao.provider.CancelSignal;
import java.util.List;

/**
 * The tools administrators registered, as runs use them: which a run's selection names, and
 * calling one. Implemented over the MCP servers' registry; the worker's tool loop only knows this.
 */
public interface RegisteredTools {
    /**
     * The tools {@code selection} names: each entry a registered server's name (its allowed tools)
     * or {@code <server>__<tool>} (one of them). An unknown or disabled name is an
     * {@link dev.eryao.services.InvalidInputException} naming it (so enqueue can refuse it, 422).
     * Lists a server's tools (through its {@code tools/list} pages) when it has to; a server that
     * cannot be reached is an InvalidInputException too at enqueue, and at claim time leaves its
     * tools out.
     */
    List<RegisteredTool> resolve(List<String> selection);

    /**
     * As {@link #resolve}, for claim time: what can be offered now. A name that no longer names an
     * enabled server or an allowed tool, and a server that cannot be reached, leave their tools out
     * instead of refusing (the run was accepted; an administrator's change since must not fail it).
     */
    default List<RegisteredTool> resolveAvailable(List<String> selection) {
        return resolve(selection);
    }

    /**
     * Calls {@code tool} with {@code argumentsJson}, which was already validated against its input
     * schema. Never throws for what the server does (down, slow, garbage, an error): that is an
     * error outcome. Bounded in time and in the bytes read; {@code cancel} cuts the call short.
     */
    ToolOutcome call(RegisteredTool tool, String argumentsJson, CancelSignal cancel);
}
