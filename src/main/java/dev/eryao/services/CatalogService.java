package dev.eryao.services;

import dev.eryao.core.db.Transactions;
import dev.eryao.models.LlmFactory;
import dev.eryao.models.LlmModel;
import dev.eryao.repositories.LlmFactoryRepository;
import dev.eryao.repositories.LlmModelRepository;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The LLM catalog: everyone reads the live factories and active models; service-role callers add,
 * change and (softly) delete them. Names are unique among live rows, enforced by partial unique
 * indexes; a duplicate, checked first and caught from the index when two requests race, is a
 * {@link ConflictException}.
 */
public final class CatalogService {
    /** A catalog is small; this bounds a response all the same. */
    public static final int MAX_LISTED = 1_000;

    public static final int MODEL_CODE_MAX_LENGTH = 100;
    public static final int DISPLAY_NAME_MAX_LENGTH = 200;
    public static final int REQUEST_URL_MAX_LENGTH = 500;
    private static final int PRICE_PRECISION = 12;
    private static final int PRICE_SCALE = 4;
    private static final String FACTORY_NAME_INDEX = "ix_llm_factory_name";
    private static final String MODEL_CODE_INDEX = "ix_llms_factory_id_model_code";

    private final Transactions transactions;
    private final LlmFactoryRepository factories;
    private final LlmModelRepository models;

    public CatalogService(Transactions transactions, LlmFactoryRepository factories, LlmModelRepository models) {
        this.transactions = transactions;
        this.factories = factories;
        this.models = models;
    }

    public List<FactoryView> listFactories() {
        return transactions.read(
                () -> factories.all(MAX_LISTED).stream().map(FactoryView::of).toList());
    }

    public List<ModelView> listActiveModels() {
        return transactions.read(() ->
                models.activeModels(MAX_LISTED).stream().map(ModelView::of).toList());
    }

    public FactoryView createFactory(String name) {
        String checked = Validation.requiredText("name", name, LlmFactory.NAME_MAX_LENGTH);
        return unique(FACTORY_NAME_INDEX, "a factory named '" + checked + "' exists", () -> {
            if (factories.byName(checked).isPresent()) {
                throw new ConflictException("a factory named '" + checked + "' exists");
            }
            return FactoryView.of(factories.add(new LlmFactory(checked)));
        });
    }

    public FactoryView renameFactory(UUID id, String name) {
        String checked = Validation.requiredText("name", name, LlmFactory.NAME_MAX_LENGTH);
        return unique(FACTORY_NAME_INDEX, "a factory named '" + checked + "' exists", () -> {
            LlmFactory factory = factory(id);
            factories.byName(checked).filter(other -> !other.getId().equals(id)).ifPresent(other -> {
                throw new ConflictException("a factory named '" + checked + "' exists");
            });
            factories.updateById(id, f -> f.rename(checked));
            return FactoryView.of(factory);
        });
    }

    /** Soft delete; refused while the factory still has models, which would point at nothing. */
    public void deleteFactory(UUID id) {
        transactions.inTransaction(() -> {
            factory(id);
            long remaining = models.countOfFactory(id);
            if (remaining > 0) {
                throw new ConflictException("the factory still has " + remaining + " model(s): delete them first");
            }
            factories.softDeleteById(id);
        });
    }

    public ModelView createModel(ModelDraft draft) {
        if (draft.factoryId() == null) {
            throw InvalidInputException.field("factory_id", "is required");
        }
        String code = Validation.requiredText("model_code", draft.modelCode(), MODEL_CODE_MAX_LENGTH);
        String name = Validation.requiredText("display_name", draft.displayName(), DISPLAY_NAME_MAX_LENGTH);
        String url = Validation.httpUrl("request_url", draft.requestUrl(), REQUEST_URL_MAX_LENGTH);
        var inputPrice = Validation.price("input_price_per_1k", draft.inputPricePer1k(), PRICE_PRECISION, PRICE_SCALE);
        var outputPrice =
                Validation.price("output_price_per_1k", draft.outputPricePer1k(), PRICE_PRECISION, PRICE_SCALE);
        Integer context = Validation.optionalPositive("context_tokens", draft.contextTokens());
        String duplicate = "the factory already has a model '" + code + "'";
        return unique(MODEL_CODE_INDEX, duplicate, () -> {
            if (factories.getById(draft.factoryId()).isEmpty()) {
                throw InvalidInputException.field("factory_id", "does not name a factory");
            }
            if (models.byFactoryAndCode(draft.factoryId(), code).isPresent()) {
                throw new ConflictException(duplicate);
            }
            LlmModel llm = new LlmModel(draft.factoryId(), code, name, url, inputPrice, outputPrice, context);
            if (draft.isActive() != null) {
                llm.setActive(draft.isActive());
            }
            return ModelView.of(models.add(llm));
        });
    }

    /** Changes the fields that are not null in {@code changes}; factory and model code stay. */
    public ModelView updateModel(UUID id, ModelDraft changes) {
        String name = changes.displayName() == null
                ? null
                : Validation.requiredText("display_name", changes.displayName(), DISPLAY_NAME_MAX_LENGTH);
        String url = changes.requestUrl() == null
                ? null
                : Validation.httpUrl("request_url", changes.requestUrl(), REQUEST_URL_MAX_LENGTH);
        var inputPrice = changes.inputPricePer1k() == null
                ? null
                : Validation.price("input_price_per_1k", changes.inputPricePer1k(), PRICE_PRECISION, PRICE_SCALE);
        var outputPrice = changes.outputPricePer1k() == null
                ? null
                : Validation.price("output_price_per_1k", changes.outputPricePer1k(), PRICE_PRECISION, PRICE_SCALE);
        Integer context = Validation.optionalPositive("context_tokens", changes.contextTokens());
        return transactions.fromTransaction(() -> {
            LlmModel llm = models.getById(id).orElseThrow(() -> new NotFoundException("model"));
            models.updateById(id, m -> {
                m.describe(name != null ? name : m.getDisplayName(), url != null ? url : m.getRequestUrl());
                m.reprice(
                        inputPrice != null ? inputPrice : m.getInputPricePer1k(),
                        outputPrice != null ? outputPrice : m.getOutputPricePer1k());
                if (context != null) {
                    m.setContextTokens(context);
                }
                if (changes.isActive() != null) {
                    m.setActive(changes.isActive());
                }
            });
            return ModelView.of(llm);
        });
    }

    public void deleteModel(UUID id) {
        transactions.inTransaction(() -> {
            if (!models.softDeleteById(id)) {
                throw new NotFoundException("model");
            }
        });
    }

    private LlmFactory factory(UUID id) {
        return factories.getById(id).orElseThrow(() -> new NotFoundException("factory"));
    }

    /** Runs {@code work} in a transaction; losing a race on {@code index} is a conflict, not a 500. */
    private <R> R unique(String index, String conflict, Supplier<R> work) {
        try {
            return transactions.fromTransaction(work);
        } catch (RuntimeException e) {
            if (UniqueViolation.on(e, index)) {
                throw new ConflictException(conflict);
            }
            throw e;
        }
    }
}
