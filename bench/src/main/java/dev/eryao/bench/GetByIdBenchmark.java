package dev.eryao.bench;

import dev.eryao.App;
import dev.eryao.core.config.Settings;
import dev.eryao.core.db.Database;
import dev.eryao.core.db.Transactions;
import dev.eryao.models.AgentChatSession;
import dev.eryao.repositories.SessionRepository;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code BaseRepository.getById} inside a service-style unit of work (Hibernate session,
 * transaction, soft-delete filter, entity) against the same read done with plain pgjdbc on a
 * connection from the same pool: same row, same columns, same transaction shape (auto-commit off,
 * then commit). The ratio of the two times is the ORM's cost per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GetByIdBenchmark {
    private static final String PLAIN_SELECT = "SELECT id, created_at, llm_id, owner_id, title, updated_at"
            + " FROM agent_chat_session WHERE id = ? AND deleted_at IS NULL";

    /** How many fixture sessions to read from (owners 1..n); set by bench/run. */
    @Param("1000")
    public int owners;

    private Database database;
    private App app;
    private Transactions transactions;
    private SessionRepository repository;

    /** What the plain read maps a row to, so both sides build an object per call. */
    public record Row(UUID id, OffsetDateTime createdAt, UUID llmId, UUID ownerId, String title, OffsetDateTime updatedAt) {
    }

    @Setup(Level.Trial)
    public void open() {
        app = App.open(Settings.load());
        database = app.database();
        transactions = app.transactions();
        repository = new SessionRepository(transactions);
    }

    @TearDown(Level.Trial)
    public void close() {
        app.close();
    }

    private UUID anySession() {
        return BenchIds.session(1 + ThreadLocalRandom.current().nextInt(owners));
    }

    @Benchmark
    public AgentChatSession baseRepositoryGetById() {
        UUID id = anySession();
        return transactions.fromTransaction(() -> repository.getById(id).orElseThrow());
    }

    @Benchmark
    public Row plainJdbc() throws SQLException {
        UUID id = anySession();
        try (Connection connection = database.dataSource().getConnection()) {
            try (PreparedStatement select = connection.prepareStatement(PLAIN_SELECT)) {
                select.setObject(1, id);
                try (ResultSet rows = select.executeQuery()) {
                    rows.next();
                    Row row = new Row(rows.getObject(1, UUID.class), rows.getObject(2, OffsetDateTime.class),
                            rows.getObject(3, UUID.class), rows.getObject(4, UUID.class), rows.getString(5),
                            rows.getObject(6, OffsetDateTime.class));
                    connection.commit();
                    return row;
                }
            }
        }
    }
}
