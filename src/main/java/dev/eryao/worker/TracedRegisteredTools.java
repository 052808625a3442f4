package dev.eryao.worker;

import dev.eryao.provider.CancelSignal;
import dev.eryao.services.tools.RegisteredTool;
import dev.eryao.services.tools.RegisteredTools;
import dev.eryao.services.tools.ToolOutcome;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.List;

/**
 * {@link RegisteredTools} whose calls are traced: each a span {@code execute_tool <name>} (a child
 * of the run's attempt) with {@code gen_ai.operation.name} and {@code gen_ai.tool.name} (the name
 * an administrator registered); an error result sets the span's status. Never the arguments or
 * the result.
 */
final class TracedRegisteredTools implements RegisteredTools {
    private final RegisteredTools tools;
    private final Tracer tracer;

    TracedRegisteredTools(RegisteredTools tools, Tracer tracer) {
        this.tools = tools;
        this.tracer = tracer;
    }

    @Override
    public List<RegisteredTool> resolve(List<String> selection) {
        return tools.resolve(selection);
    }

    @Override
    public List<RegisteredTool> resolveAvailable(List<String> selection) {
        return tools.resolveAvailable(selection);
    }

    @Override
    public ToolOutcome call(RegisteredTool tool, String argumentsJson, CancelSignal cancel) {
        Span span = tracer.spanBuilder("execute_tool " + tool.name())
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("gen_ai.operation.name", "execute_tool")
                .setAttribute("gen_ai.tool.name", tool.name())
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            ToolOutcome outcome = tools.call(tool, argumentsJson, cancel);
            if (outcome != null && outcome.error()) {
                span.setStatus(StatusCode.ERROR);
                span.setAttribute("error.type", "tool_error");
            }
            return outcome;
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR);
            span.setAttribute("error.type", e.getClass().getName());
            throw e;
        } finally {
            span.end();
        }
    }
}
