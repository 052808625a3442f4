package dev.eryao.services;

import dev.eryao.models.LlmModel;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A model of the catalog; prices in points per 1,000 tokens. */
public record ModelView(
        UUID id,
        UUID factoryId,
        String modelCode,
        String displayName,
        String requestUrl,
        BigDecimal inputPricePer1k,
        BigDecimal outputPricePer1k,
        @Nullable Integer contextTokens,
        boolean isActive,
        Instant createdAt,
        Instant updatedAt) {
    static ModelView of(LlmModel llm) {
        return new ModelView(
                llm.getId(),
                llm.getFactoryId(),
                llm.getModelCode(),
                llm.getDisplayName(),
                llm.getRequestUrl(),
                llm.getInputPricePer1k(),
                llm.getOutputPricePer1k(),
                llm.getContextTokens(),
                llm.isActive(),
                llm.getCreatedAt(),
                llm.getUpdatedAt());
    }
}
