package dev.eryao.repositories;

/**
 * What a finished run used and its price, recorded as charged in full; the rare shortfall is
 * recorded afterwards ({@link RunRepository#recordShortfall}).
 */
public record RunUsage(int inputTokens, int outputTokens, long cost) {
}
