package dev.eryao.services;

import dev.eryao.models.LlmFactory;
import java.time.Instant;
import java.util.UUID;

/** An LLM provider of the catalog. */
public record FactoryView(UUID id, String name, Instant createdAt, Instant updatedAt) {
    static FactoryView of(LlmFactory factory) {
        return new FactoryView(factory.getId(), factory.getName(), factory.getCreatedAt(), factory.getUpdatedAt());
    }
}
