package dev.eryao.services;

/**
 * What a run's steps have come to so far, as its worker goes from step to step: its hold, the
 * price of its recorded steps (as their usage priced them) and what they owe (each step's price at
 * most the hold taken for it: a run never costs more than it held), their tokens, how many model
 * steps it took, and the next step's index. The run is charged what it owes when it ends.
 */
public record RunTotals(
        long heldPoints,
        long priced,
        long owed,
        long inputTokens,
        long outputTokens,
        boolean estimated,
        int modelSteps,
        int nextIndex) {
    /** A claimed run's totals, counting the steps earlier attempts recorded. */
    static RunTotals of(long heldPoints, java.util.List<StepView> steps) {
        RunTotals totals = new RunTotals(heldPoints, 0, 0, 0, 0, false, 0, 0);
        for (StepView step : steps) {
            totals = totals.plus(step);
        }
        return totals;
    }

    RunTotals plus(StepView step) {
        return new RunTotals(
                heldPoints,
                priced + step.pointsCharged(),
                owed + step.pointsCharged(),
                inputTokens + (step.inputTokens() == null ? 0 : step.inputTokens()),
                outputTokens + (step.outputTokens() == null ? 0 : step.outputTokens()),
                estimated || step.usageEstimated(),
                modelSteps + (step.modelStep() ? 1 : 0),
                Math.max(nextIndex, step.index() + 1));
    }

    /** After a model step that used these tokens, priced at {@code price} and owing {@code charged}. */
    public RunTotals plusModelStep(int input, int output, boolean usageEstimated, long price, long charged) {
        return new RunTotals(
                heldPoints,
                priced + price,
                owed + charged,
                inputTokens + input,
                outputTokens + output,
                estimated || usageEstimated,
                modelSteps + 1,
                nextIndex + 1);
    }

    /** After a tool step charged {@code charged}. */
    public RunTotals plusToolStep(long charged) {
        return new RunTotals(
                heldPoints,
                priced + charged,
                owed + charged,
                inputTokens,
                outputTokens,
                estimated,
                modelSteps,
                nextIndex + 1);
    }

    /** With the hold raised to {@code held}. */
    public RunTotals holding(long held) {
        return new RunTotals(held, priced, owed, inputTokens, outputTokens, estimated, modelSteps, nextIndex);
    }
}
