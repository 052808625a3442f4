package dev.eryao.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.eryao.models.AgentChatSession;
import dev.eryao.repositories.SessionRepository;
import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A read whose connection dies is a failure the API turns into a 503, never an empty answer that
 * would read as "not found" (Hibernate's two-argument {@code find} swallows it: HHH-12472).
 */
class LostConnectionTest {
    private final TestDatabase db = TestDatabase.get();
    private final Transactions tx = db.app().transactions();
    private final SessionRepository sessions = new SessionRepository(tx);

    @Test
    void getByIdOnALostConnectionFailsInsteadOfFindingNothing() {
        UUID id = tx.fromTransaction(() -> sessions.add(new AgentChatSession(UUID.randomUUID(), "lost", null))
                .getId());

        Throwable thrown = catchThrowable(() -> tx.fromTransaction(() -> {
            int backend = tx.session()
                    .createNativeQuery("SELECT pg_backend_pid()", Integer.class)
                    .getSingleResult();
            terminate(backend);
            return sessions.getById(id);
        }));

        assertThat(thrown)
                .as("getById must not answer empty when the database is gone")
                .isNotNull();
        assertThat(DatabaseOutage.causedBy(thrown)).as(String.valueOf(thrown)).isTrue();
        assertThat(tx.fromTransaction(() -> sessions.getById(id)))
                .as("the pool recovers")
                .isPresent();
    }

    private void terminate(int backend) {
        try (Connection admin = db.connection();
                PreparedStatement kill = admin.prepareStatement("SELECT pg_terminate_backend(?, 5000)")) {
            kill.setInt(1, backend);
            kill.execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
