package dev.eryao.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.models.AgentChatSession;
import dev.eryao.models.AgentChatSession_;
import dev.eryao.models.PointsLedgerEntry;
import dev.eryao.repositories.PointsLedgerRepository;
import dev.eryao.repositories.SessionRepository;
import dev.eryao.support.SqlRecorder;
import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.hibernate.query.restriction.Restriction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SoftDeleteTest {
    private final TestDatabase db = TestDatabase.get();
    private final Transactions tx = db.app().transactions();
    private final SessionRepository sessions = new SessionRepository(tx);
    private final UUID owner = UUID.randomUUID();
    private UUID kept;
    private UUID deleted;

    @BeforeEach
    void twoSessionsOneOfThemSoftDeleted() {
        kept = tx.fromTransaction(
                () -> sessions.add(new AgentChatSession(owner, "kept", null)).getId());
        deleted = tx.fromTransaction(
                () -> sessions.add(new AgentChatSession(owner, "deleted", null)).getId());
        assertThat(tx.fromTransaction(() -> sessions.softDeleteById(deleted))).isTrue();
    }

    @Test
    void deletedSessionIsInvisibleToGetById() {
        assertThat(tx.fromTransaction(() -> sessions.getById(deleted))).isEmpty();
        assertThat(tx.fromTransaction(() -> sessions.getById(kept))).isPresent();
    }

    @Test
    void deletedSessionIsInvisibleToGetOne() {
        assertThat(tx.fromTransaction(() -> sessions.getOne(
                        Restriction.equal(AgentChatSession_.ownerId, owner),
                        Restriction.equal(AgentChatSession_.title, "deleted"))))
                .isEmpty();
        assertThat(tx.fromTransaction(() -> sessions.getOwned(owner, deleted))).isEmpty();
    }

    @Test
    void deletedSessionIsInvisibleToListsPagesAndCounts() {
        List<UUID> listed = tx.fromTransaction(() -> sessions.activeSessionsOf(owner, 10)).stream()
                .map(AgentChatSession::getId)
                .toList();
        List<UUID> paged =
                tx.fromTransaction(() -> sessions.pageOf(owner, PageRequest.newestFirst(10, null))).items().stream()
                        .map(AgentChatSession::getId)
                        .toList();
        long counted = tx.fromTransaction(() -> sessions.count(Restriction.equal(AgentChatSession_.ownerId, owner)));

        assertThat(listed).containsExactly(kept);
        assertThat(paged).containsExactly(kept);
        assertThat(counted).isEqualTo(1);
    }

    @Test
    void deletedSessionIsInvisibleToACustomHqlQueryThatNeverMentionsDeletedAt() {
        List<String> titles = tx.fromTransaction(() -> tx.session()
                .createSelectionQuery("select s.title from AgentChatSession s where s.ownerId = :owner", String.class)
                .setParameter("owner", owner)
                .getResultList());

        assertThat(titles).containsExactly("kept");
    }

    @Test
    void theDeletedRowStaysWithDeletedAtSetToNowInUtc() throws Exception {
        try (Connection connection = db.connection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT deleted_at, now() AS db_now FROM agent_chat_session WHERE id = ?")) {
            query.setObject(1, deleted);
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next())
                        .as("the soft-deleted row is still stored")
                        .isTrue();
                OffsetDateTime deletedAt = row.getObject("deleted_at", OffsetDateTime.class);
                OffsetDateTime dbNow = row.getObject("db_now", OffsetDateTime.class);
                assertThat(deletedAt).isNotNull();
                assertThat(deletedAt.getOffset()).isEqualTo(ZoneOffset.UTC);
                assertThat(Duration.between(deletedAt.toInstant(), dbNow.toInstant()))
                        .isGreaterThanOrEqualTo(Duration.ZERO)
                        .isLessThan(Duration.ofMinutes(5));
                assertThat(deletedAt.toInstant()).isAfter(Instant.now().minus(Duration.ofMinutes(5)));
            }
        }
    }

    @Test
    void everyReadOfASoftDeletableModelFiltersDeletedAtInItsSql() {
        SqlRecorder.Recording recording = db.sql().record();
        try (recording) {
            tx.fromTransaction(() -> sessions.getById(kept));
            tx.fromTransaction(() -> sessions.getOwned(owner, kept));
            tx.fromTransaction(() -> sessions.activeSessionsOf(owner, 5));
        }

        assertThat(recording.statements())
                .hasSize(3)
                .allSatisfy(sql -> assertThat(sql).containsIgnoringCase("deleted_at is null"));
    }

    @Test
    void deletingTwiceFindsNothingTheSecondTime() {
        assertThat(tx.fromTransaction(() -> sessions.softDeleteById(deleted))).isFalse();
    }

    @Test
    void aModelWithoutDeletedAtRefusesSoftDelete() {
        PointsLedgerRepository ledger = new PointsLedgerRepository(tx);

        assertThat(ledger.supportsSoftDelete()).isFalse();
        assertThatThrownBy(() -> tx.inTransaction(() -> ledger.softDeleteById(UUID.randomUUID())))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining(PointsLedgerEntry.class.getSimpleName())
                .hasMessageContaining("no deleted_at");
    }
}
