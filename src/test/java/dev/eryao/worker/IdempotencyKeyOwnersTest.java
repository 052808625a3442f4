package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.eryao.services.InsufficientPointsException;
import dev.eryao.services.LedgerEntryView;
import dev.eryao.services.PointsService;
import dev.eryao.services.RunAccepted;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An idempotency key belongs to its owner: two owners who happen to send the same key each get
 * their own run (or ledger row), and each one's replay returns their own, never the other's. The
 * key is new to this test (a random one), so no other test's rows can stand in for the check.
 */
class IdempotencyKeyOwnersTest {
    private final RunFixture fixture = new RunFixture();
    private final String key = "shared-" + UUID.randomUUID();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void twoOwnersWithOneKeyEachGetAndReplayTheirOwnRun() throws Exception {
        RunFixture.Owner first = fixture.owner(1_000);
        RunFixture.Owner second = fixture.owner(1_000);

        RunAccepted firstRun = enqueue(first, "first owner's input");
        RunAccepted secondRun = enqueue(second, "second owner's input");

        assertThat(secondRun.taskId()).isNotEqualTo(firstRun.taskId());
        assertThat(firstRun.sessionId()).isEqualTo(first.sessionId());
        assertThat(secondRun.sessionId()).isEqualTo(second.sessionId());
        assertThat(enqueue(first, "first owner's input"))
                .as("the first owner's replay")
                .isEqualTo(firstRun);
        assertThat(enqueue(second, "second owner's input"))
                .as("the second owner's replay")
                .isEqualTo(secondRun);
        assertThat(fixture.strings(
                        "SELECT owner_id || ' ' || input FROM agent_run WHERE idempotency_key = ? ORDER BY input", key))
                .containsExactly(
                        first.user().id() + " first owner's input",
                        second.user().id() + " second owner's input");
    }

    @Test
    void anOwnerWithoutPointsIsRefusedNotGivenAnotherOwnersRunWithTheSameKey() throws Exception {
        RunFixture.Owner paying = fixture.owner(1_000);
        RunFixture.Owner broke = fixture.owner(0);
        enqueue(paying, "paid for");

        Throwable refused = catchThrowable(() -> enqueue(broke, "not paid for"));

        assertThat(refused).isInstanceOf(InsufficientPointsException.class);
        assertThat(fixture.count(
                        "SELECT count(*) FROM agent_run WHERE owner_id = ?",
                        broke.user().id()))
                .isZero();
    }

    @Test
    void twoOwnersWithOneKeyEachGetAndReplayTheirOwnGrant() throws Exception {
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();

        LedgerEntryView firstGrant = grant(first, 10);
        LedgerEntryView secondGrant = grant(second, 20);

        assertThat(secondGrant.id()).isNotEqualTo(firstGrant.id());
        assertThat(secondGrant.ownerId()).isEqualTo(second);
        assertThat(secondGrant.amount()).isEqualTo(20);
        assertThat(grant(first, 10).id()).as("the first owner's replay").isEqualTo(firstGrant.id());
        assertThat(grant(second, 20).id()).as("the second owner's replay").isEqualTo(secondGrant.id());
        assertThat(fixture.app.points().balance(first)).isEqualTo(10);
        assertThat(fixture.app.points().balance(second)).isEqualTo(20);
        assertThat(fixture.count("SELECT count(*) FROM points_ledger WHERE idempotency_key = ?", key))
                .isEqualTo(2);
    }

    private RunAccepted enqueue(RunFixture.Owner owner, String input) {
        return fixture.app.runs().enqueue(owner.user(), owner.sessionId(), input, null, key);
    }

    private LedgerEntryView grant(UUID owner, long amount) {
        return fixture.app.points().grant(new PointsService.Change(owner, amount, "test grant", null, null, key));
    }
}
