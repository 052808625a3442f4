package dev.eryao.core.config;

/**
 * What one owner may ask of the run queue, bound from {@code ERYAO_RUNS__*}.
 *
 * @param maxOpenPerOwner {@code ERYAO_RUNS__MAX_OPEN_PER_OWNER}: how many runs one owner may have
 *                        queued or running at once, free models included; one more is answered
 *                        429 with {@code Retry-After}. The default leaves a chat user room for a few
 *                        conversations at once while no one can fill the queue.
 * @param maxSteps        {@code ERYAO_RUNS__MAX_STEPS}: the model steps a run may take (each a call of
 *                        its model, which may ask for tools) when it does not say; a hard limit, so a
 *                        model that keeps calling tools stops there ({@code stop_reason: max_steps})
 * @param maxStepsLimit   {@code ERYAO_RUNS__MAX_STEPS_LIMIT}: the most a run may ask for with
 *                        {@code max_steps}; more is a 422
 * @param parkedExpiry    {@code ERYAO_RUNS__PARKED_EXPIRY_SECONDS}: how long a run may wait for its
 *                        owner (an approval, a client tool's output) before it ends {@code expired},
 *                        charged what its steps used, the rest of its hold given back. An hour by
 *                        default: long enough to come back to a tab, short enough that points held by
 *                        an abandoned run return the same day
 */
public record RunsSettings(int maxOpenPerOwner, int maxSteps, int maxStepsLimit, java.time.Duration parkedExpiry) {
    public static final int DEFAULT_MAX_OPEN_PER_OWNER = 10;
    public static final int DEFAULT_MAX_STEPS = 10;
    public static final int DEFAULT_MAX_STEPS_LIMIT = 50;
    public static final int DEFAULT_PARKED_EXPIRY_SECONDS = 3_600;
    /** Thirty days: a run waiting longer holds its points past any reasonable answer. */
    private static final int LONGEST_PARKED_EXPIRY_SECONDS = 2_592_000;

    static final String PREFIX = "ERYAO_RUNS__";
    private static final int MOST_OPEN_PER_OWNER = 100_000;
    private static final int MOST_STEPS = 1_000;

    public RunsSettings {
        if (maxOpenPerOwner < 1 || maxOpenPerOwner > MOST_OPEN_PER_OWNER) {
            throw new SettingsException(PREFIX + "MAX_OPEN_PER_OWNER='" + maxOpenPerOwner + "' is not accepted:"
                    + " it must be a whole number from 1 to " + MOST_OPEN_PER_OWNER);
        }
        if (maxStepsLimit < 1 || maxStepsLimit > MOST_STEPS) {
            throw new SettingsException(PREFIX + "MAX_STEPS_LIMIT='" + maxStepsLimit + "' is not accepted:"
                    + " it must be a whole number from 1 to " + MOST_STEPS);
        }
        if (maxSteps < 1 || maxSteps > maxStepsLimit) {
            throw new SettingsException(PREFIX + "MAX_STEPS='" + maxSteps + "' is not accepted:"
                    + " it must be a whole number from 1 to ERYAO_RUNS__MAX_STEPS_LIMIT (" + maxStepsLimit + ")");
        }
    }

    /** The default parked expiry. */
    public RunsSettings(int maxOpenPerOwner, int maxSteps, int maxStepsLimit) {
        this(maxOpenPerOwner, maxSteps, maxStepsLimit, java.time.Duration.ofSeconds(DEFAULT_PARKED_EXPIRY_SECONDS));
    }

    /** The defaults but for the open runs allowed per owner. */
    public RunsSettings(int maxOpenPerOwner) {
        this(maxOpenPerOwner, DEFAULT_MAX_STEPS, DEFAULT_MAX_STEPS_LIMIT);
    }

    /** These settings with runs parked longer than {@code expiry} ending expired. */
    public RunsSettings withParkedExpiry(java.time.Duration expiry) {
        return new RunsSettings(maxOpenPerOwner, maxSteps, maxStepsLimit, expiry);
    }

    public static RunsSettings defaults() {
        return new RunsSettings(DEFAULT_MAX_OPEN_PER_OWNER);
    }

    static RunsSettings read(VariableReader env) {
        return new RunsSettings(
                env.integer(PREFIX + "MAX_OPEN_PER_OWNER", DEFAULT_MAX_OPEN_PER_OWNER, 1, MOST_OPEN_PER_OWNER),
                env.integer(PREFIX + "MAX_STEPS", DEFAULT_MAX_STEPS, 1, MOST_STEPS),
                env.integer(PREFIX + "MAX_STEPS_LIMIT", DEFAULT_MAX_STEPS_LIMIT, 1, MOST_STEPS),
                java.time.Duration.ofSeconds(env.integer(
                        PREFIX + "PARKED_EXPIRY_SECONDS",
                        DEFAULT_PARKED_EXPIRY_SECONDS,
                        1,
                        LONGEST_PARKED_EXPIRY_SECONDS)));
    }
}
