package dev.eryao.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.core.config.PoolMode;
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

    @Test
    void aOneStatementUnitIsItsStatementsOwnTransactionWithoutBeginOrCommit() throws Exception {
        // PostgreSQL declares a cursor only inside a transaction block: in a one-statement unit it
        // refuses the statement itself, so no BEGIN came first; in a transaction the declaration
        // runs and only reading its (absent) rows fails.
        // Behind a transaction pooler the unit is a transaction (for its SET LOCAL timeouts):
        // TimeoutsThroughPoolerTest.
        String transactionBlockOnly = "DECLARE probe CURSOR FOR SELECT 1";
        assertThatThrownBy(() -> tx.oneStatement(() -> tx.session()
                        .createNativeQuery(transactionBlockOnly, Object.class)
                        .getResultList()))
                .hasStackTraceContaining(
                        db.app().database().settings().poolMode() == PoolMode.SESSION
                                ? "can only be used in transaction blocks"
                                : "No results were returned");
        assertThatThrownBy(() -> tx.fromTransaction(() -> tx.session()
                        .createNativeQuery(transactionBlockOnly, Object.class)
                        .getResultList()))
                .hasStackTraceContaining("No results were returned")
                .satisfies(e -> assertThat(org.assertj.core.util.Throwables.getStackTrace(e))
                        .doesNotContain("transaction blocks"));

        long inserted = tx.oneStatement(() -> tx.session()
                .createNativeQuery(
                        "WITH written AS (INSERT INTO agent_chat_session (id, owner_id, title, created_at, updated_at)"
                                + " VALUES (:id, :owner, 'one statement', now(), now()) RETURNING id)"
                                + " SELECT count(*) FROM written",
                        Long.class)
                .setParameter("id", UUID.randomUUID())
                .setParameter("owner", owner)
                .getSingleResult());
        assertThat(inserted).isEqualTo(1);
        assertThat(storedSessionsOf(owner))
                .as("committed as the statement ended")
                .isEqualTo(1);
    }

    @Test
    void aOneStatementUnitRefusesWhatWouldNotBeAtomicWithItsStatement() throws Exception {
        assertThatThrownBy(() -> tx.oneStatement(() -> sessions.add(new AgentChatSession(owner, "persisted?", null))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("one statement");
        assertThatThrownBy(() -> tx.oneStatement(() -> sessions.getById(UUID.randomUUID())))
                .as("a read before or after the statement would be a transaction of its own")
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("one statement");
        assertThatThrownBy(() -> tx.oneStatement(() -> {
                    tx.session().createNativeQuery("SELECT 1", Integer.class).getSingleResult();
                    return tx.session()
                            .createNativeQuery("SELECT 2", Integer.class)
                            .getSingleResult();
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a second createNativeQuery()");
        assertThatThrownBy(() -> tx.oneStatement(() -> tx.session()
                        .createNativeQuery("DELETE FROM agent_chat_session WHERE owner_id = :owner", Object.class)
                        .setParameter("owner", owner)
                        .executeUpdate()))
                .as("Hibernate runs an update count only in a transaction: the statement's rows must be read")
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("executeUpdate() needs Transactions.fromTransaction");

        assertThat(storedSessionsOf(owner)).isZero();
        UUID id = tx.fromTransaction(() -> {
            UUID written =
                    sessions.add(new AgentChatSession(owner, "outer", null)).getId();
            tx.oneStatement(() -> sessions.getById(written));
            return written;
        });
        assertThat(tx.read(() -> sessions.getOwned(owner, id)))
                .as("inside a transaction a one-statement unit joins it, with all it may do")
                .isPresent();
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
