package dev.eryao.models;

import dev.eryao.core.db.References;
import dev.eryao.core.db.UpdatableEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.util.UUID;
import org.hibernate.annotations.ColumnDefault;
import org.hibernate.annotations.SoftDelete;
import org.hibernate.annotations.SoftDeleteType;

/**
 * A model a factory serves, reached at {@code request_url} (OpenAI-compatible chat completions).
 * Prices are in points per 1,000 tokens.
 */
@Entity
@Table(
        name = "llms",
        indexes = {
            @Index(name = "ix_llms_model_code", columnList = "model_code"),
            @Index(
                    name = "ix_llms_factory_id_model_code",
                    columnList = "factory_id, model_code",
                    unique = true,
                    options = "WHERE deleted_at IS NULL")
        })
@SoftDelete(columnName = "deleted_at", strategy = SoftDeleteType.TIMESTAMP)
public class LlmModel extends UpdatableEntity {
    @References(LlmFactory.class)
    @Column(name = "factory_id", nullable = false)
    private UUID factoryId;

    @Column(name = "model_code", nullable = false, length = 100)
    private String modelCode;

    @Column(name = "display_name", nullable = false, length = 200)
    private String displayName;

    @Column(name = "request_url", nullable = false, length = 500)
    private String requestUrl;

    @Column(name = "input_price_per_1k", nullable = false, precision = 12, scale = 4)
    private BigDecimal inputPricePer1k;

    @Column(name = "output_price_per_1k", nullable = false, precision = 12, scale = 4)
    private BigDecimal outputPricePer1k;

    @Column(name = "context_tokens")
    private Integer contextTokens;

    @ColumnDefault("true")
    @Column(name = "is_active", nullable = false)
    private boolean active = true;

    protected LlmModel() {}

    public LlmModel(
            UUID factoryId,
            String modelCode,
            String displayName,
            String requestUrl,
            BigDecimal inputPricePer1k,
            BigDecimal outputPricePer1k,
            Integer contextTokens) {
        this.factoryId = factoryId;
        this.modelCode = modelCode;
        this.displayName = displayName;
        this.requestUrl = requestUrl;
        this.inputPricePer1k = inputPricePer1k;
        this.outputPricePer1k = outputPricePer1k;
        this.contextTokens = contextTokens;
    }

    public UUID getFactoryId() {
        return factoryId;
    }

    public String getModelCode() {
        return modelCode;
    }

    public String getDisplayName() {
        return displayName;
    }

    public String getRequestUrl() {
        return requestUrl;
    }

    public BigDecimal getInputPricePer1k() {
        return inputPricePer1k;
    }

    public BigDecimal getOutputPricePer1k() {
        return outputPricePer1k;
    }

    public Integer getContextTokens() {
        return contextTokens;
    }

    public boolean isActive() {
        return active;
    }

    public void describe(String newDisplayName, String newRequestUrl) {
        this.displayName = newDisplayName;
        this.requestUrl = newRequestUrl;
    }

    public void reprice(BigDecimal newInputPricePer1k, BigDecimal newOutputPricePer1k) {
        this.inputPricePer1k = newInputPricePer1k;
        this.outputPricePer1k = newOutputPricePer1k;
    }

    public void setContextTokens(Integer newContextTokens) {
        this.contextTokens = newContextTokens;
    }

    public void setActive(boolean newActive) {
        this.active = newActive;
    }
}
