package dev.eryao.worker;

import dev.eryao.provider.CancelSignal;
import dev.eryao.provider.ChatRequest;
import dev.eryao.provider.Completion;
import dev.eryao.provider.DeltaListener;
import dev.eryao.provider.LlmCallException;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.List;

/**
 * A {@link ModelCall} traced: each call a client span {@code chat <model>} (a child of the run's
 * attempt) with OpenTelemetry's generative-AI attributes — {@code gen_ai.system} (the factory, as
 * the catalog names it; also as {@code gen_ai.provider.name}), {@code gen_ai.request.model}, {@code gen_ai.request.max_tokens}, and from
 * the answer {@code gen_ai.usage.input_tokens} / {@code output_tokens} and
 * {@code gen_ai.response.finish_reasons}; a failure sets {@code error.type} to its kind. Never
 * the conversation nor the model's {@code request_url} (a private address, maybe with credentials).
 */
final class TracedModelCall implements ModelCall {
    private final ModelCall model;
    private final Tracer tracer;

    TracedModelCall(ModelCall model, Tracer tracer) {
        this.model = model;
        this.tracer = tracer;
    }

    @Override
    public Completion stream(ChatRequest call, DeltaListener onDelta, CancelSignal cancel) {
        Span span = tracer.spanBuilder("chat " + call.modelCode())
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("gen_ai.operation.name", "chat")
                .setAttribute("gen_ai.system", call.factoryName())
                // the newer conventions' name for the same
                .setAttribute("gen_ai.provider.name", call.factoryName())
                .setAttribute("gen_ai.request.model", call.modelCode())
                .setAttribute("gen_ai.request.max_tokens", call.maxTokens())
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            Completion completion = model.stream(call, onDelta, cancel);
            span.setAttribute("gen_ai.usage.input_tokens", completion.promptTokens());
            span.setAttribute("gen_ai.usage.output_tokens", completion.completionTokens());
            if (completion.finishReason() != null) {
                span.setAttribute(
                        io.opentelemetry.api.common.AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"),
                        List.of(completion.finishReason()));
            }
            if (completion.cancelled()) {
                span.setAttribute("eryao.cancelled", true);
            }
            return completion;
        } catch (LlmCallException e) {
            failed(span, e.kind().label());
            throw e;
        } catch (RuntimeException | Error e) {
            failed(span, e.getClass().getName());
            throw e;
        } finally {
            span.end();
        }
    }

    /** The failure's kind only: a provider's message can quote the conversation. */
    private static void failed(Span span, String kind) {
        span.setStatus(StatusCode.ERROR);
        span.setAttribute("error.type", kind);
    }
}
