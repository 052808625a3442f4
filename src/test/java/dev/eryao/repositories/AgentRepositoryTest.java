package dev.eryao.repositories;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.App;
import dev.eryao.core.db.Transactions;
import dev.eryao.models.AgentChatSession;
import dev.eryao.services.PointsService;
import dev.eryao.support.TestDatabase;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AgentRepositoryTest {
    private final App app = TestDatabase.get().app();
    private final Transactions tx = app.transactions();
    private final AgentRepository sessions = new AgentRepository(tx);
    private final UUID owner = UUID.randomUUID();

    private UUID session() {
        return tx.fromTransaction(() -> sessions.add(new AgentChatSession(owner, "with balance", null)).getId());
    }

    private Optional<AgentRepository.SessionWithBalance> ownedWithBalance(UUID ownerId, UUID sessionId) {
        return tx.read(() -> sessions.getOwnedWithBalance(ownerId, sessionId));
    }

    @Test
    void anOwnerWhoNeverHadPointsReadsABalanceOfZero() {
        UUID id = session();

        AgentRepository.SessionWithBalance read = ownedWithBalance(owner, id).orElseThrow();

        assertThat(read.session().getId()).isEqualTo(id);
        assertThat(read.balance()).isZero();
    }

    @Test
    void theBalanceReadIsTheOwnersOwn() {
        UUID id = session();
        UUID someoneElse = UUID.randomUUID();
        app.pointsService().grant(new PointsService.Change(owner, 25, "test", "test", null, null));
        app.pointsService().grant(new PointsService.Change(someoneElse, 1000, "test", "test", null, null));

        assertThat(ownedWithBalance(owner, id).orElseThrow().balance()).isEqualTo(25);
    }

    @Test
    void anotherOwnersOrADeletedSessionIsNotFound() {
        UUID id = session();

        assertThat(ownedWithBalance(UUID.randomUUID(), id)).as("another owner").isEmpty();
        assertThat(tx.fromTransaction(() -> sessions.softDeleteById(id))).isTrue();
        assertThat(ownedWithBalance(owner, id)).as("deleted").isEmpty();
    }
}
