package dev.eryao.repositories;

import java.util.UUID;

/**
 * A message as a run's context needs it: who said it and what (wire role names, as the models'
 * API takes them), and for an answer the run that wrote it, whose tool calls and results came
 * before it.
 *
 * @param runId       the run that wrote an answer; null for a question (and an answer older than runs were recorded)
 * @param calledTools whether that run recorded a tool step
 */
public record MessageText(String role, String content, UUID runId, boolean calledTools) {}
