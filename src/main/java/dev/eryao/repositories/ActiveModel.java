package dev.eryao.repositories;

import dev.eryao.models.Llm;

/** An active model and the name of its factory (whose API key the worker sends). */
public record ActiveModel(Llm llm, String factoryName) {
}
