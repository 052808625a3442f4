package dev.eryao.core.db;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that a UUID column holds the id of another model, so the schema has a foreign key
 * {@code fk_<table>_<column>} to that model's table. Models keep plain id fields rather than
 * associations (no lazy proxies, no surprise queries); this annotation is how the mapping still
 * describes the foreign key, for {@code eryao revision --autogenerate} and {@code eryao check}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface References {
    /** The referenced model; its {@code id} column is the target. */
    Class<? extends BaseEntity> value();
}
