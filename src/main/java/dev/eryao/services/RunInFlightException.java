package dev.eryao.services;

import java.util.UUID;

/** A run sent with {@code reject} to a session that has a run open: refused, naming that run. */
public final class RunInFlightException extends ConflictException {
    private final UUID taskId;

    public RunInFlightException(UUID taskId) {
        super("the session has a run in flight (task_id " + taskId + "): multitask_strategy reject refuses a"
                + " new one until it ends; send enqueue to wait for it, or interrupt to stop it");
        this.taskId = taskId;
    }

    /** The open run: the session's running run, else its oldest queued one. */
    public UUID taskId() {
        return taskId;
    }
}
