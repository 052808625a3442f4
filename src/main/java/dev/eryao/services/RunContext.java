package dev.eryao.services;

import dev.eryao.provider.ChatMessage;
import dev.eryao.provider.Completion;
import dev.eryao.provider.ToolDefinition;
import dev.eryao.repositories.RunClaim;
import dev.eryao.services.tools.RegisteredTool;
import java.util.List;
import java.util.UUID;

/**
 * Everything a worker needs to perform one claimed run outside any transaction: which attempt it
 * holds, the model to call and its price terms, the session's conversation so far, and what the
 * run holds of its owner's points.
 *
 * @param promptTokenBound the most prompt tokens {@code messages} can be ({@link RunPrice})
 * @param heldPoints       the run's hold, already raised to cover this conversation
 * @param problem          why the run cannot be performed at all (no model chosen, the model was
 *                         removed, too few points for its conversation), or null
 * @param steps            the steps earlier attempts recorded: this attempt continues after them
 * @param maxSteps         the most model steps the run may take
 * @param maxPoints        the most the whole run may cost, or null for no cap of its own
 * @param registeredTools  the registered tools its model is offered, resolved at claim (none: it can
 *                         only answer)
 * @param clientTools      the tools its client performs, offered beside them
 * @param answers          the calls it last parked on, with its owner's answers (none: it never parked)
 */
public record RunContext(
        RunClaim claim,
        UUID ownerId,
        UUID sessionId,
        String requestUrl,
        String factoryName,
        String modelCode,
        RunPrice price,
        List<ChatMessage> messages,
        long promptTokenBound,
        long heldPoints,
        String problem,
        List<StepView> steps,
        int maxSteps,
        Long maxPoints,
        List<RegisteredTool> registeredTools,
        ClientTools clientTools,
        PendingCalls answers) {
    public RunContext {
        messages = List.copyOf(messages);
        steps = List.copyOf(steps);
        registeredTools = List.copyOf(registeredTools);
    }

    static RunContext unusable(RunClaim claim, String problem) {
        return new RunContext(
                claim,
                claim.ownerId(),
                claim.sessionId(),
                null,
                null,
                null,
                null,
                List.of(),
                0,
                claim.heldPoints(),
                problem,
                List.of(),
                1,
                null,
                List.of(),
                ClientTools.none(),
                PendingCalls.of(List.of()));
    }

    /** This context with {@code tools} offered to its model. */
    RunContext offering(List<RegisteredTool> tools) {
        return new RunContext(
                claim,
                ownerId,
                sessionId,
                requestUrl,
                factoryName,
                modelCode,
                price,
                messages,
                promptTokenBound,
                heldPoints,
                problem,
                steps,
                maxSteps,
                maxPoints,
                tools,
                clientTools,
                answers);
    }

    /** The tools its model is offered, as the request names them. */
    public List<ToolDefinition> toolDefinitions() {
        List<ToolDefinition> offered = new java.util.ArrayList<>();
        registeredTools.forEach(
                tool -> offered.add(new ToolDefinition(tool.name(), tool.description(), tool.inputSchemaJson())));
        clientTools
                .all()
                .forEach(tool ->
                        offered.add(new ToolDefinition(tool.name(), tool.description(), ClientTools.schemaOf(tool))));
        return offered;
    }

    /** The client's tool named {@code name}, if the run declared one. */
    public java.util.Optional<ClientTool> clientTool(String name) {
        return clientTools.named(name);
    }

    /** The offered tool named {@code name}, if there is one. */
    public java.util.Optional<RegisteredTool> registeredTool(String name) {
        return registeredTools.stream().filter(tool -> tool.name().equals(name)).findFirst();
    }

    /** What the run's recorded steps have come to, with its hold: where this attempt starts. */
    public RunTotals totals() {
        return RunTotals.of(heldPoints, steps);
    }

    /** The run this attempt performs. */
    public UUID runId() {
        return claim.runId();
    }

    /** Which attempt this is (1 for the first). */
    public int attempt() {
        return claim.attempt();
    }

    /** The {@code max_tokens} to send. */
    public int outputCap() {
        return price.outputCap();
    }

    /** Why the completion's usage cannot be charged (a provider error), or null when it can. */
    public String usageProblem(Completion completion) {
        return price.checkUsage(completion.promptTokens(), completion.completionTokens());
    }
}
