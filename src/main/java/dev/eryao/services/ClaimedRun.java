package dev.eryao.services;

import dev.eryao.repositories.RunClaim;

/**
 * A run claimed under a lease and not yet readied: what the fetch loop hands to a performer, which
 * turns it into a {@link RunContext} with {@link RunExecutionService#prepare} on its own thread.
 */
public record ClaimedRun(RunClaim claim) {}
