package dev.eryao.services;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * The fields of a catalog model to create, or (with nulls for "leave as it is") to change; the
 * factory and model code of an existing model do not change.
 */
public record ModelDraft(
        UUID factoryId,
        String modelCode,
        String displayName,
        String requestUrl,
        BigDecimal inputPricePer1k,
        BigDecimal outputPricePer1k,
        Integer contextTokens,
        Boolean isActive) {}
