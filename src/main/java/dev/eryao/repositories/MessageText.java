package dev.eryao.repositories;

/**
 * A message as a run's context needs it: who said it and what (wire role names, as the models'
 * API takes them).
 */
public record MessageText(String role, String content) {}
