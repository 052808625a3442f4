package dev.eryao.core.config;

/**
 * What one owner may ask of the run queue, bound from {@code ERYAO_RUNS__*}.
 *
 * @param maxOpenPerOwner {@code ERYAO_RUNS__MAX_OPEN_PER_OWNER}: how many runs one owner may have
 *                        queued or running at once, free models included; one more is answered
 *                        429 with {@code Retry-After}. The default leaves a chat user room for a few
 *                        conversations at once while no one can fill the queue.
 */
public record RunsSettings(int maxOpenPerOwner) {
    public static final int DEFAULT_MAX_OPEN_PER_OWNER = 10;
    static final String PREFIX = "ERYAO_RUNS__";
    private static final int MOST_OPEN_PER_OWNER = 100_000;

    public RunsSettings {
        if (maxOpenPerOwner < 1 || maxOpenPerOwner > MOST_OPEN_PER_OWNER) {
            throw new SettingsException(PREFIX + "MAX_OPEN_PER_OWNER='" + maxOpenPerOwner + "' is not accepted:"
                    + " it must be a whole number from 1 to " + MOST_OPEN_PER_OWNER);
        }
    }

    public static RunsSettings defaults() {
        return new RunsSettings(DEFAULT_MAX_OPEN_PER_OWNER);
    }

    static RunsSettings read(VariableReader env) {
        return new RunsSettings(
                env.integer(PREFIX + "MAX_OPEN_PER_OWNER", DEFAULT_MAX_OPEN_PER_OWNER, 1, MOST_OPEN_PER_OWNER));
    }
}
