package dev.eryao.repositories;

import dev.eryao.models.LlmModel;

/** An active model and the name of its factory (whose API key the worker sends). */
public record ActiveModel(LlmModel llm, String factoryName) {}
