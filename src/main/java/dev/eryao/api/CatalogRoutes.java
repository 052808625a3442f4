package dev.eryao.api;

import static dev.eryao.api.ApiRole.USER;

import dev.eryao.services.CatalogService;
import dev.eryao.services.FactoryView;
import dev.eryao.services.ModelView;
import io.javalin.http.HandlerType;

/** {@code /v1/llm}: the active catalog, for every signed-in user. */
final class CatalogRoutes {
    private static final String TAG = "catalog";

    private final CatalogService catalog;

    CatalogRoutes(CatalogService catalog) {
        this.catalog = catalog;
    }

    void register(RouteTable table) {
        table.add(
                Route.of(HandlerType.GET, "/v1/llm/factories", USER, TAG)
                        .summary("List the LLM factories (who serves models)")
                        .returnsList(FactoryView.class),
                call -> catalog.listFactories());
        table.add(
                Route.of(HandlerType.GET, "/v1/llm/models", USER, TAG)
                        .summary("List the active models")
                        .returnsList(ModelView.class),
                call -> catalog.listActiveModels());
    }
}
