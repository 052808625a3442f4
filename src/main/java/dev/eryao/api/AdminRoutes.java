package dev.eryao.api;

import static dev.eryao.api.ApiRole.SERVICE_ROLE;

import dev.eryao.core.Uuids;
import dev.eryao.services.CatalogService;
import dev.eryao.services.FactoryView;
import dev.eryao.services.InvalidInputException;
import dev.eryao.services.LedgerEntryView;
import dev.eryao.services.McpServerDraft;
import dev.eryao.services.McpServerService;
import dev.eryao.services.McpServerToolsView;
import dev.eryao.services.McpServerView;
import dev.eryao.services.ModelDraft;
import dev.eryao.services.ModelView;
import dev.eryao.services.PointsService;
import io.javalin.http.HandlerType;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** {@code /v1/admin}: points grants, catalog changes and MCP servers, for service-role tokens only. */
final class AdminRoutes {
    private static final String TAG = "admin";
    /** Why a grant needs an Idempotency-Key: a grant retried after a lost answer must not be granted twice. */
    private static final String GRANT_KEY_REASON = "a grant must be safe to repeat: a retry with the same key"
            + " returns the first grant instead of granting again";

    /** Here {@code owner_id} is the point: whom the grant is for. */
    record Grant(UUID ownerId, Long amount, String reason) {}

    record FactoryBody(String name) {}

    record NewModel(
            UUID factoryId,
            String modelCode,
            String displayName,
            String requestUrl,
            BigDecimal inputPricePer1k,
            BigDecimal outputPricePer1k,
            @Nullable Integer contextTokens,
            @Nullable Boolean isActive) {}

    /** Only the fields sent change: each may be left out. */
    record ModelChanges(
            @Nullable String displayName,
            @Nullable String requestUrl,
            @Nullable BigDecimal inputPricePer1k,
            @Nullable BigDecimal outputPricePer1k,
            @Nullable Integer contextTokens,
            @Nullable Boolean isActive) {}

    /** A registration; see docs/mcp-servers.md. */
    record NewMcpServer(
            String name,
            String url,
            List<String> allowedTools,
            @Nullable List<String> approvalTools,
            @Nullable Long pricePerCall,
            @Nullable String secretHeaderName,
            @Nullable String secretHeaderVariable,
            @Nullable Boolean isEnabled) {}

    /** Only the fields sent change; an empty {@code secret_header_name} removes the secret header. */
    record McpServerChanges(
            @Nullable String name,
            @Nullable String url,
            @Nullable List<String> allowedTools,
            @Nullable List<String> approvalTools,
            @Nullable Long pricePerCall,
            @Nullable String secretHeaderName,
            @Nullable String secretHeaderVariable,
            @Nullable Boolean isEnabled) {}

    private final PointsService points;
    private final CatalogService catalog;
    private final McpServerService mcpServers;

    AdminRoutes(PointsService points, CatalogService catalog, McpServerService mcpServers) {
        this.points = points;
        this.catalog = catalog;
        this.mcpServers = mcpServers;
    }

    void register(RouteTable table) {
        table.add(
                Route.of(HandlerType.POST, "/v1/admin/points/grants", SERVICE_ROLE, TAG)
                        .summary("Grant points to an owner (Idempotency-Key required)")
                        .body(Grant.class)
                        .status(201)
                        .returns(LedgerEntryView.class)
                        .requiresIdempotencyKey(GRANT_KEY_REASON),
                call -> {
                    Grant body = call.body();
                    if (body.amount() == null) {
                        throw InvalidInputException.field("amount", "is required");
                    }
                    if (Uuids.NIL.equals(body.ownerId())) {
                        throw InvalidInputException.field("owner_id", "must not be the nil UUID: it is no owner");
                    }
                    return points.grantByAdmin(
                            call.user(), body.ownerId(), body.amount(), body.reason(), call.idempotencyKey());
                });
        registerFactories(table);
        registerModels(table);
        registerMcpServers(table);
    }

    private void registerMcpServers(RouteTable table) {
        String duplicate = "an MCP server of that name is registered";
        table.add(
                Route.of(HandlerType.POST, "/v1/admin/mcp-servers", SERVICE_ROLE, TAG)
                        .summary("Register an MCP server (streamable HTTP) whose tools runs may call")
                        .body(NewMcpServer.class)
                        .status(201)
                        .returns(McpServerView.class)
                        .refuses(409, duplicate),
                call -> {
                    NewMcpServer b = call.body();
                    return mcpServers.create(new McpServerDraft(
                            b.name(),
                            b.url(),
                            b.allowedTools(),
                            b.approvalTools(),
                            b.pricePerCall(),
                            b.secretHeaderName(),
                            b.secretHeaderVariable(),
                            b.isEnabled()));
                });
        table.add(
                Route.of(HandlerType.GET, "/v1/admin/mcp-servers", SERVICE_ROLE, TAG)
                        .summary("List the registered MCP servers")
                        .returnsList(McpServerView.class),
                call -> mcpServers.list());
        table.add(
                Route.of(HandlerType.GET, "/v1/admin/mcp-servers/{id}", SERVICE_ROLE, TAG)
                        .summary("Read an MCP server's registration")
                        .returns(McpServerView.class),
                call -> mcpServers.get(call.id("id")));
        table.add(
                Route.of(HandlerType.PATCH, "/v1/admin/mcp-servers/{id}", SERVICE_ROLE, TAG)
                        .summary("Change an MCP server's registration")
                        .body(McpServerChanges.class)
                        .returns(McpServerView.class)
                        .refuses(409, duplicate),
                call -> {
                    McpServerChanges b = call.body();
                    return mcpServers.update(
                            call.id("id"),
                            new McpServerDraft(
                                    b.name(),
                                    b.url(),
                                    b.allowedTools(),
                                    b.approvalTools(),
                                    b.pricePerCall(),
                                    b.secretHeaderName(),
                                    b.secretHeaderVariable(),
                                    b.isEnabled()));
                });
        table.add(
                Route.of(HandlerType.DELETE, "/v1/admin/mcp-servers/{id}", SERVICE_ROLE, TAG)
                        .summary("Delete an MCP server's registration (soft delete); runs can no longer call its tools")
                        .status(204),
                call -> {
                    mcpServers.delete(call.id("id"));
                    return null;
                });
        table.add(
                Route.of(HandlerType.GET, "/v1/admin/mcp-servers/{id}/tools", SERVICE_ROLE, TAG)
                        .summary("The MCP server's tools as it lists them now, each marked allowed, needing"
                                + " approval and priced as its registration says")
                        .returns(McpServerToolsView.class),
                call -> mcpServers.liveTools(call.id("id")));
    }

    private void registerFactories(RouteTable table) {
        table.add(
                Route.of(HandlerType.POST, "/v1/admin/llm/factories", SERVICE_ROLE, TAG)
                        .summary("Add a factory")
                        .body(FactoryBody.class)
                        .status(201)
                        .returns(FactoryView.class)
                        .refuses(409, "a factory of that name exists"),
                call -> catalog.createFactory(call.body().name()));
        table.add(
                Route.of(HandlerType.PATCH, "/v1/admin/llm/factories/{id}", SERVICE_ROLE, TAG)
                        .summary("Rename a factory")
                        .body(FactoryBody.class)
                        .returns(FactoryView.class)
                        .refuses(409, "a factory of that name exists"),
                call -> catalog.renameFactory(call.id("id"), call.body().name()));
        table.add(
                Route.of(HandlerType.DELETE, "/v1/admin/llm/factories/{id}", SERVICE_ROLE, TAG)
                        .summary("Delete a factory that has no models (soft delete)")
                        .status(204)
                        .refuses(409, "the factory still has models"),
                call -> {
                    catalog.deleteFactory(call.id("id"));
                    return null;
                });
    }

    private void registerModels(RouteTable table) {
        table.add(
                Route.of(HandlerType.POST, "/v1/admin/llm/models", SERVICE_ROLE, TAG)
                        .summary("Add a model")
                        .body(NewModel.class)
                        .status(201)
                        .returns(ModelView.class)
                        .refuses(409, "the factory has a model of that code"),
                call -> {
                    NewModel b = call.body();
                    return catalog.createModel(new ModelDraft(
                            b.factoryId(),
                            b.modelCode(),
                            b.displayName(),
                            b.requestUrl(),
                            b.inputPricePer1k(),
                            b.outputPricePer1k(),
                            b.contextTokens(),
                            b.isActive()));
                });
        table.add(
                Route.of(HandlerType.PATCH, "/v1/admin/llm/models/{id}", SERVICE_ROLE, TAG)
                        .summary("Change a model's name, URL, prices, context size or active flag")
                        .body(ModelChanges.class)
                        .returns(ModelView.class),
                call -> {
                    ModelChanges b = call.body();
                    return catalog.updateModel(
                            call.id("id"),
                            new ModelDraft(
                                    null,
                                    null,
                                    b.displayName(),
                                    b.requestUrl(),
                                    b.inputPricePer1k(),
                                    b.outputPricePer1k(),
                                    b.contextTokens(),
                                    b.isActive()));
                });
        table.add(
                Route.of(HandlerType.DELETE, "/v1/admin/llm/models/{id}", SERVICE_ROLE, TAG)
                        .summary("Delete a model (soft delete)")
                        .status(204),
                call -> {
                    catalog.deleteModel(call.id("id"));
                    return null;
                });
    }
}
