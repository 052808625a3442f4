package dev.eryao.repositories;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.App;
import dev.eryao.core.db.Transactions;
import dev.eryao.models.AgentChatSession;
import dev.eryao.services.ModelDraft;
import dev.eryao.services.PointsService;
import dev.eryao.support.TestDatabase;
import java.math.BigDecimal;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SessionRepositoryTest {
    private final App app = TestDatabase.get().app();
    private final Transactions tx = app.transactions();
    private final SessionRepository sessions = new SessionRepository(tx);
    private final UUID owner = UUID.randomUUID();

    private UUID session(UUID llmId) {
        return tx.fromTransaction(() ->
                sessions.add(new AgentChatSession(owner, "for a run", llmId)).getId());
    }

    private Optional<RunAdmission> ownedForRun(UUID ownerId, UUID sessionId, UUID llmId) {
        return tx.read(() -> sessions.getOwnedForRun(ownerId, sessionId, llmId, null, null));
    }

    private UUID model(boolean active) {
        UUID factory = app.catalog()
                .createFactory("repo-" + UUID.randomUUID().toString().substring(0, 8))
                .id();
        return app.catalog()
                .createModel(new ModelDraft(
                        factory, "m", "M", "http://127.0.0.1:9/v1", BigDecimal.ONE, BigDecimal.ONE, 1000, active))
                .id();
    }

    @Test
    void anOwnerWhoNeverHadPointsReadsABalanceOfZeroAndNothingHeld() {
        UUID id = session(null);

        RunAdmission read = ownedForRun(owner, id, null).orElseThrow();

        assertThat(read.session().getId()).isEqualTo(id);
        assertThat(read.balance()).isZero();
        assertThat(read.held()).isZero();
        assertThat(read.model()).as("no model named, none on the session").isNull();
    }

    @Test
    void theBalanceReadIsTheOwnersOwn() {
        UUID id = session(null);
        UUID someoneElse = UUID.randomUUID();
        app.points().grant(new PointsService.Change(owner, 25, "test", "test", null, null));
        app.points().grant(new PointsService.Change(someoneElse, 1000, "test", "test", null, null));

        assertThat(ownedForRun(owner, id, null).orElseThrow().balance()).isEqualTo(25);
    }

    @Test
    void theRunsModelWinsOverTheSessionsAndOnlyALiveActiveOneIsFound() {
        UUID sessionModel = model(true);
        UUID runModel = model(true);
        UUID id = session(sessionModel);

        assertThat(ownedForRun(owner, id, null).orElseThrow().model().getId()).isEqualTo(sessionModel);
        assertThat(ownedForRun(owner, id, runModel).orElseThrow().model().getId())
                .isEqualTo(runModel);
        assertThat(ownedForRun(owner, id, model(false)).orElseThrow().model())
                .as("inactive")
                .isNull();

        app.catalog().deleteModel(sessionModel);
        assertThat(ownedForRun(owner, id, null).orElseThrow().model())
                .as("soft-deleted")
                .isNull();
    }

    @Test
    void anotherOwnersOrADeletedSessionIsNotFound() {
        UUID id = session(null);

        assertThat(ownedForRun(UUID.randomUUID(), id, null)).as("another owner").isEmpty();
        assertThat(tx.fromTransaction(() -> sessions.softDeleteById(id))).isTrue();
        assertThat(ownedForRun(owner, id, null)).as("deleted").isEmpty();
    }
}
