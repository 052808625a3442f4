package dev.eryao.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.models.AgentChatSession;
import dev.eryao.models.AgentChatSession_;
import dev.eryao.repositories.SessionRepository;
import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.UUID;
import org.hibernate.query.restriction.Restriction;
import org.junit.jupiter.api.Test;

class TransactionsTest {
    private final TestDatabase db = TestDatabase.get();
    private final Transactions tx = db.app().transactions();
    private final SessionRepository sessions = new SessionRepository(tx);
    private final UUID owner = UUID.randomUUID();

    @Test
    void aUnitOfWorkThatFailsHalfWayLeavesNothingBehind() throws Exception {
        assertThatThrownBy(() -> tx.inTransaction(() -> {
                    sessions.add(new AgentChatSession(owner, "first", null));
                    sessions.add(new AgentChatSession(owner, "second", null));
                    throw new IllegalArgumentException("fails after two flushed inserts");
                }))
                .hasMessage("fails after two flushed inserts");

        assertThat(storedSessionsOf(owner)).isZero();
    }

    @Test
    void aDatabaseErrorRollsBackEarlierWritesOfTheSameUnit() throws Exception {
        assertThatThrownBy(() -> tx.inTransaction(() -> {
                    sessions.add(new AgentChatSession(owner, "written first", null));
                    sessions.add(new AgentChatSession(owner, "   ", null)); // refused by ck_..._title_not_blank
                }))
                .hasStackTraceContaining("ck_agent_chat_session_title_not_blank");

        assertThat(storedSessionsOf(owner)).isZero();
    }

    @Test
    void aSuccessfulUnitOfWorkIsCommittedAndVisibleToOtherConnections() throws Exception {
        tx.inTransaction(() -> sessions.add(new AgentChatSession(owner, "committed", null)));

        assertThat(storedSessionsOf(owner)).isEqualTo(1);
    }

    @Test
    void aReadOnlyUnitRunsEachStatementOnItsOwnWithoutATransaction() throws Exception {
        String transactionStart = "select function('transaction_timestamp')";
        Object[] read = tx.read(() -> new Object[] {
            tx.session().createSelectionQuery(transactionStart, Object.class).getSingleResult(),
            pause(tx.session()
                    .createSelectionQuery(transactionStart, Object.class)
                    .getSingleResult())
        });
        Object[] inTransaction = tx.fromTransaction(() -> new Object[] {
            tx.session().createSelectionQuery(transactionStart, Object.class).getSingleResult(),
            pause(tx.session()
                    .createSelectionQuery(transactionStart, Object.class)
                    .getSingleResult())
        });

        assertThat(inTransaction[0]).as("one transaction: one start").isEqualTo(inTransaction[1]);
        assertThat(read[0])
                .as("autocommit: each statement is a transaction of its own")
                .isNotEqualTo(read[1]);
    }

    @Test
    void aReadOnlyUnitRefusesEveryWayToWriteAndWritesNothing() throws Exception {
        assertThatThrownBy(() -> tx.read(() -> sessions.add(new AgentChatSession(owner, "written?", null))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only reads");
        assertThatThrownBy(() -> tx.read(() -> tx.session()
                        .createNativeQuery("DELETE FROM agent_chat_session", Object.class)
                        .executeUpdate()))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> tx.read(() -> tx.session()
                        .createSelectionQuery("delete from AgentChatSession", Object.class)
                        .getResultList()))
                .as("the session offers no HQL mutation, and a selection refuses one")
                .isInstanceOf(org.hibernate.query.IllegalSelectQueryException.class);
        assertThatThrownBy(() -> tx.read(() ->
                        tx.fromTransaction(() -> sessions.add(new AgentChatSession(owner, "nested write", null)))))
                .as("a unit of work inside a read-only one joins it, so it cannot write either")
                .isInstanceOf(IllegalStateException.class);

        assertThat(storedSessionsOf(owner)).isZero();
    }

    @Test
    void aReadOnlyUnitInsideATransactionReadsThatTransactionsWrites() {
        UUID id = tx.fromTransaction(() -> {
            UUID written = sessions.add(new AgentChatSession(owner, "uncommitted", null))
                    .getId();
            assertThat(tx.read(() -> sessions.getById(written))).isPresent();
            return written;
        });
        assertThat(tx.read(() -> sessions.getOwned(owner, id))).isPresent();
    }

    /** Lets the clock move on between two statements, so their transactions' start times differ. */
    private static Object pause(Object value) {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return value;
    }

    @Test
    void aNestedUnitOfWorkJoinsTheOuterTransaction() throws Exception {
        assertThatThrownBy(() -> tx.inTransaction(() -> {
                    tx.inTransaction(() -> sessions.add(new AgentChatSession(owner, "inner", null)));
                    assertThat(sessions.count(Restriction.equal(AgentChatSession_.ownerId, owner)))
                            .isEqualTo(1);
                    throw new IllegalStateException("outer fails after the inner one returned");
                }))
                .hasMessage("outer fails after the inner one returned");

        assertThat(storedSessionsOf(owner))
                .as("the inner write was part of the outer transaction")
                .isZero();
    }

    @Test
    void anInnerFailureCaughtByTheOuterUnitStillRollsEverythingBack() throws Exception {
        assertThatThrownBy(() -> tx.inTransaction(() -> {
                    sessions.add(new AgentChatSession(owner, "outer", null));
                    try {
                        tx.inTransaction(() -> {
                            throw new IllegalArgumentException("inner failure");
                        });
                    } catch (IllegalArgumentException swallowed) {
                        // the outer unit carries on as if nothing happened
                    }
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("rolled back");

        assertThat(storedSessionsOf(owner)).isZero();
    }

    @Test
    void aRepositoryUsedOutsideAServiceTransactionIsRefused() {
        assertThatThrownBy(() -> sessions.getById(UUID.randomUUID()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no transaction on this thread");
    }

    @Test
    void updatedAtMovesOnEveryUpdateWhileCreatedAtStays() throws Exception {
        AgentChatSession created = tx.fromTransaction(() -> sessions.add(new AgentChatSession(owner, "v1", null)));
        Thread.sleep(2); // timestamps have microsecond precision; make sure the clock moved
        AgentChatSession renamed = tx.fromTransaction(() -> sessions.updateById(created.getId(), s -> s.rename("v2")))
                .orElseThrow();

        assertThat(created.getUpdatedAt()).isEqualTo(created.getCreatedAt());
        assertThat(renamed.getCreatedAt()).isEqualTo(created.getCreatedAt());
        assertThat(renamed.getUpdatedAt()).isAfter(created.getUpdatedAt());
        AgentChatSession reloaded =
                tx.fromTransaction(() -> sessions.getById(created.getId())).orElseThrow();
        assertThat(reloaded.getTitle()).isEqualTo("v2");
        assertThat(reloaded.getUpdatedAt())
                .as("what is stored equals what was returned")
                .isEqualTo(renamed.getUpdatedAt());
    }

    private long storedSessionsOf(UUID ownerId) throws Exception {
        try (Connection connection = db.connection();
                PreparedStatement query =
                        connection.prepareStatement("SELECT count(*) FROM agent_chat_session WHERE owner_id = ?")) {
            query.setObject(1, ownerId);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
