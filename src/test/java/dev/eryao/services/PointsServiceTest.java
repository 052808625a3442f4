package dev.eryao.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.PageRequest;
import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class PointsServiceTest {
    private final TestDatabase db = TestDatabase.get();
    private final PointsService points = db.app().points();
    private final UUID owner = UUID.randomUUID();

    private static PointsService.Change change(UUID owner, long amount, String key) {
        return new PointsService.Change(owner, amount, "test", null, null, key);
    }

    @Test
    void grantsAndDebitsMoveTheBalanceAndAreEachOneLedgerRow() {
        points.grant(change(owner, 100, null));
        LedgerEntryView debit = points.debit(change(owner, 30, null));

        assertThat(debit.amount()).isEqualTo(-30);
        assertThat(debit.balanceAfter()).isEqualTo(70);
        assertThat(points.balance(owner)).isEqualTo(70);
        assertThat(points.ledger(owner, PageRequest.newestFirst(10, null)).items())
                .extracting(LedgerEntryView::amount)
                .containsExactly(-30L, 100L);
    }

    @Test
    void aDebitLargerThanTheBalanceIsRefusedAndWritesNothing() {
        points.grant(change(owner, 10, null));

        assertThatThrownBy(() -> points.debit(change(owner, 11, null)))
                .isInstanceOfSatisfying(InsufficientPointsException.class, e -> {
                    assertThat(e.available()).isEqualTo(10);
                    assertThat(e.requested()).isEqualTo(11);
                });

        assertThat(points.balance(owner)).isEqualTo(10);
        assertThat(points.ledger(owner, PageRequest.newestFirst(10, null)).items())
                .hasSize(1);
    }

    @Test
    void anAdministratorsGrantWithoutAKeyIsRefusedAndWritesNothing() {
        CurrentUser admin = new CurrentUser(UUID.randomUUID(), "service_role");

        assertThatThrownBy(() -> points.grantByAdmin(admin, owner, 100, "no key", null))
                .isInstanceOfSatisfying(
                        InvalidInputException.class,
                        e -> assertThat(e.fieldErrors()).containsKey("Idempotency-Key"));

        assertThat(points.balance(owner)).isZero();
        assertThat(points.ledger(owner, PageRequest.newestFirst(10, null)).items())
                .isEmpty();
        LedgerEntryView granted = points.grantByAdmin(admin, owner, 100, "with a key", "admin-grant-1");
        assertThat(points.grantByAdmin(admin, owner, 100, "with a key", "admin-grant-1")
                        .id())
                .isEqualTo(granted.id());
        assertThat(points.balance(owner)).isEqualTo(100);
    }

    @Test
    void aKeyReplayedWithAnotherAmountOrReasonIsRefusedAndWritesNothing() {
        points.grant(change(owner, 50, "grant-body"));

        assertThatThrownBy(() -> points.grant(change(owner, 60, "grant-body")))
                .isInstanceOfSatisfying(
                        InvalidInputException.class,
                        e -> assertThat(e.fieldErrors()).containsKey("Idempotency-Key"));
        assertThatThrownBy(() -> points.grant(new PointsService.Change(owner, 50, "other", null, null, "grant-body")))
                .isInstanceOf(InvalidInputException.class);

        assertThat(points.balance(owner)).isEqualTo(50);
        assertThat(points.ledger(owner, PageRequest.newestFirst(10, null)).items())
                .hasSize(1);
    }

    @Test
    void aGrantThatWouldOverflowTheBalanceIsRefusedNotA500() {
        points.grant(change(owner, Long.MAX_VALUE - 10, null));

        assertThatThrownBy(() -> points.grant(change(owner, 11, null)))
                .isInstanceOfSatisfying(
                        InvalidInputException.class,
                        e -> assertThat(e.fieldErrors().get("amount")).contains("largest"));
        assertThat(points.balance(owner)).isEqualTo(Long.MAX_VALUE - 10);
        assertThat(points.ledger(owner, PageRequest.newestFirst(10, null)).items())
                .hasSize(1);
    }

    @Test
    void debitsTakeOnlyWhatNoRunHolds() throws SQLException {
        points.grant(change(owner, 100, null));
        try (Connection connection = db.connection();
                Statement sql = connection.createStatement()) {
            sql.executeUpdate("UPDATE points_balance SET held = 80 WHERE owner_id = '" + owner + "'");
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
        }

        assertThatThrownBy(() -> points.debit(change(owner, 21, null)))
                .isInstanceOfSatisfying(
                        InsufficientPointsException.class,
                        e -> assertThat(e.available()).isEqualTo(20));
        points.debit(change(owner, 20, null));

        assertThat(points.account(owner)).isEqualTo(new PointsAccountView(owner, 80, 80, 0));
    }

    @Test
    void theSameIdempotencyKeyAppliesAChangeOnce() {
        LedgerEntryView first = points.grant(change(owner, 50, "grant-1"));
        LedgerEntryView again = points.grant(change(owner, 50, "grant-1"));

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(points.balance(owner)).isEqualTo(50);
    }

    @Test
    void theDatabaseRefusesUpdateDeleteAndTruncateOfTheLedger() throws SQLException {
        LedgerEntryView entry = points.grant(change(owner, 5, null));

        try (Connection connection = db.connection();
                Statement sql = connection.createStatement()) {
            assertThatThrownBy(() ->
                            sql.executeUpdate("UPDATE points_ledger SET amount = 500 WHERE id = '" + entry.id() + "'"))
                    .hasMessageContaining("append-only")
                    .hasMessageContaining("UPDATE");
            assertThatThrownBy(() -> sql.executeUpdate("DELETE FROM points_ledger WHERE id = '" + entry.id() + "'"))
                    .hasMessageContaining("append-only")
                    .hasMessageContaining("DELETE");
            assertThatThrownBy(() -> sql.executeUpdate("TRUNCATE points_ledger"))
                    .hasMessageContaining("append-only")
                    .hasMessageContaining("TRUNCATE");
        }
        assertThat(points.ledger(owner, PageRequest.newestFirst(10, null)).items())
                .singleElement()
                .satisfies(e -> assertThat(e.amount()).isEqualTo(5));
    }

    @Test
    void concurrentDebitsNeverOverdrawAndTheLedgerSumsToTheBalance() throws Exception {
        points.grant(change(owner, 100, null));
        int attempts = 40;
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < attempts; i++) {
                results.add(pool.submit(() -> {
                    try {
                        points.debit(change(owner, 7, null));
                        return true;
                    } catch (InsufficientPointsException e) {
                        return false;
                    }
                }));
            }
        }
        long succeeded = 0;
        for (Future<Boolean> result : results) {
            succeeded += result.get() ? 1 : 0;
        }

        assertThat(succeeded).isEqualTo(100 / 7);
        assertThat(points.balance(owner)).isEqualTo(100 - 7 * succeeded).isNotNegative();
        assertThat(ledgerSum(owner)).isEqualTo(points.balance(owner));
    }

    private long ledgerSum(UUID ownerId) throws SQLException {
        try (Connection connection = db.connection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT coalesce(sum(amount), 0) FROM points_ledger WHERE owner_id = ?")) {
            query.setObject(1, ownerId);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
