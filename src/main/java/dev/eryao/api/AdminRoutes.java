package dev.eryao.api;

import static dev.eryao.api.ApiRole.SERVICE_ROLE;

import dev.eryao.core.Uuids;
import dev.eryao.services.FactoryView;
import dev.eryao.services.InvalidInputException;
import dev.eryao.services.LedgerEntryView;
import dev.eryao.services.CatalogService;
import dev.eryao.services.ModelDraft;
import dev.eryao.services.ModelView;
import dev.eryao.services.PointsService;
import io.javalin.http.HandlerType;
import java.math.BigDecimal;
import java.util.UUID;

/** {@code /v1/admin}: points grants and catalog changes, for service-role tokens only. */
final class AdminRoutes {
    private static final String TAG = "admin";
    /** Why a grant needs an Idempotency-Key: a grant retried after a lost answer must not be granted twice. */
    private static final String GRANT_KEY_REASON = "a grant must be safe to repeat: a retry with the same key"
            + " returns the first grant instead of granting again";

    /** Here {@code owner_id} is the point: whom the grant is for. */
    record Grant(UUID ownerId, Long amount, String reason) {
    }

    record FactoryBody(String name) {
    }

    record NewModel(UUID factoryId, String modelCode, String displayName, String requestUrl,
                    BigDecimal inputPricePer1k, BigDecimal outputPricePer1k, Integer contextTokens, Boolean isActive) {
    }

    record ModelChanges(String displayName, String requestUrl, BigDecimal inputPricePer1k,
                        BigDecimal outputPricePer1k, Integer contextTokens, Boolean isActive) {
    }

    private final PointsService points;
    private final CatalogService catalog;
    private final JsonBodies json;

    AdminRoutes(PointsService points, CatalogService catalog, JsonBodies json) {
        this.points = points;
        this.catalog = catalog;
        this.json = json;
    }

    void register(RouteTable table) {
        table.add(Route.of(HandlerType.POST, "/v1/admin/points/grants", SERVICE_ROLE, TAG)
                .summary("Grant points to an owner (Idempotency-Key required)").body(Grant.class)
                .status(201).returns(LedgerEntryView.class).requiresIdempotencyKey(GRANT_KEY_REASON), ctx -> {
            String key = Requests.requiredIdempotencyKey(ctx, GRANT_KEY_REASON);
            Grant body = json.read(ctx, Grant.class);
            if (body.amount() == null) {
                throw InvalidInputException.field("amount", "is required");
            }
            if (Uuids.NIL.equals(body.ownerId())) {
                throw InvalidInputException.field("owner_id", "must not be the nil UUID: it is no owner");
            }
            ctx.status(201).json(points.grantByAdmin(Requests.user(ctx), body.ownerId(), body.amount(),
                    body.reason(), key));
        });
        registerFactories(table);
        registerModels(table);
    }

    private void registerFactories(RouteTable table) {
        table.add(Route.of(HandlerType.POST, "/v1/admin/llm/factories", SERVICE_ROLE, TAG).summary("Add a factory")
                .body(FactoryBody.class).status(201).returns(FactoryView.class), ctx ->
                ctx.status(201).json(catalog.createFactory(json.read(ctx, FactoryBody.class).name())));
        table.add(Route.of(HandlerType.PATCH, "/v1/admin/llm/factories/{id}", SERVICE_ROLE, TAG)
                .summary("Rename a factory").body(FactoryBody.class).returns(FactoryView.class), ctx -> {
            UUID id = Requests.pathId(ctx, "id");
            ctx.json(catalog.renameFactory(id, json.read(ctx, FactoryBody.class).name()));
        });
        table.add(Route.of(HandlerType.DELETE, "/v1/admin/llm/factories/{id}", SERVICE_ROLE, TAG)
                .summary("Delete a factory that has no models (soft delete)").status(204), ctx -> {
            catalog.deleteFactory(Requests.pathId(ctx, "id"));
            ctx.status(204);
        });
    }

    private void registerModels(RouteTable table) {
        table.add(Route.of(HandlerType.POST, "/v1/admin/llm/models", SERVICE_ROLE, TAG).summary("Add a model")
                .body(NewModel.class).status(201).returns(ModelView.class), ctx -> {
            NewModel b = json.read(ctx, NewModel.class);
            ctx.status(201).json(catalog.createModel(new ModelDraft(b.factoryId(), b.modelCode(), b.displayName(),
                    b.requestUrl(), b.inputPricePer1k(), b.outputPricePer1k(), b.contextTokens(), b.isActive())));
        });
        table.add(Route.of(HandlerType.PATCH, "/v1/admin/llm/models/{id}", SERVICE_ROLE, TAG)
                .summary("Change a model's name, URL, prices, context size or active flag").body(ModelChanges.class)
                .returns(ModelView.class), ctx -> {
            UUID id = Requests.pathId(ctx, "id");
            ModelChanges b = json.read(ctx, ModelChanges.class);
            ctx.json(catalog.updateModel(id, new ModelDraft(null, null, b.displayName(), b.requestUrl(),
                    b.inputPricePer1k(), b.outputPricePer1k(), b.contextTokens(), b.isActive())));
        });
        table.add(Route.of(HandlerType.DELETE, "/v1/admin/llm/models/{id}", SERVICE_ROLE, TAG)
                .summary("Delete a model (soft delete)").status(204), ctx -> {
            catalog.deleteModel(Requests.pathId(ctx, "id"));
            ctx.status(204);
        });
    }
}
