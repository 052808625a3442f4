package dev.eryao.repositories;

/**
 * What a finished run used (estimated when its provider reported nothing) and its price, recorded as charged in full; the rare shortfall is
 * recorded afterwards ({@link RunRepository#recordShortfall}).
 */
public record RunUsage(int inputTokens, int outputTokens, long cost, boolean estimated) {}
