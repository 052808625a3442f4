package dev.eryao.api;

import static dev.eryao.api.ApiRole.USER;

import dev.eryao.services.LedgerEntryView;
import dev.eryao.services.PointsAccountView;
import dev.eryao.services.PointsService;
import io.javalin.http.HandlerType;

/** {@code /v1/points}: the caller's balance and ledger. */
final class PointsRoutes {
    private static final String TAG = "points";

    private final PointsService points;

    PointsRoutes(PointsService points) {
        this.points = points;
    }

    void register(RouteTable table) {
        table.add(
                Route.of(HandlerType.GET, "/v1/points/balance", USER, TAG)
                        .summary("Your points: balance, held by queued and running runs, available")
                        .returns(PointsAccountView.class),
                call -> points.account(call.user().id()));
        table.add(
                Route.of(HandlerType.GET, "/v1/points/ledger", USER, TAG)
                        .summary("Your points ledger, newest first")
                        .returnsPage(LedgerEntryView.class),
                call -> points.ledger(call.user().id(), call.page(true)));
    }
}
