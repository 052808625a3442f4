package dev.eryao.models;

import dev.eryao.core.db.UpdatableEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import org.hibernate.annotations.SoftDelete;
import org.hibernate.annotations.SoftDeleteType;

/** An LLM provider (OpenAI, Anthropic, ...): the seed's {@code llm_factory}. */
@Entity
@Table(
        name = "llm_factory",
        indexes = {
            // unique among live rows only, so a soft-deleted factory's name can be used again
            @Index(
                    name = "ix_llm_factory_name",
                    columnList = "name",
                    unique = true,
                    options = "WHERE deleted_at IS NULL")
        })
@SoftDelete(columnName = "deleted_at", strategy = SoftDeleteType.TIMESTAMP)
public class LlmFactory extends UpdatableEntity {
    public static final int NAME_MAX_LENGTH = 50;

    @Column(name = "name", nullable = false, length = NAME_MAX_LENGTH)
    private String name;

    protected LlmFactory() {}

    public LlmFactory(String name) {
        this.name = name;
    }

    public String getName() {
        return name;
    }

    public void rename(String newName) {
        this.name = newName;
    }
}
