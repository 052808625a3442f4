package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.App;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.db.Database;
import dev.eryao.services.ModelDraft;
import dev.eryao.services.PointsService;
import dev.eryao.services.RunExecutionService;
import dev.eryao.support.SqlRecorder;
import dev.eryao.support.TestDatabase;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a claim costs in statements, pinned: the claim itself, the model with its factory, the
 * question's move under its parent question's answer (see MessageRepository#followAnswerOfParent),
 * and the conversation by ids — and the hold's raise (two more) only when the conversation costs more
 * than the input alone was held for. One more statement on this path fails here.
 */
class ClaimStatementsTest {
    private final SqlRecorder sql = new SqlRecorder();
    private final Database database = TestDatabase.get().freshMigratedDatabase();
    private final App app = App.over(database, TestDatabase.get().settings(), sql);

    @AfterEach
    void close() {
        app.close();
        database.close();
    }

    @Test
    void aClaimIsFourStatements() {
        UUID factory = app.catalog().createFactory("free-" + UUID.randomUUID()).id();
        UUID model = app.catalog()
                .createModel(new ModelDraft(
                        factory,
                        "free",
                        "Free",
                        "http://127.0.0.1:9/v1/chat/completions",
                        BigDecimal.ZERO,
                        BigDecimal.ZERO,
                        128_000,
                        true))
                .id();
        CurrentUser owner = new CurrentUser(UUID.randomUUID(), CurrentUser.AUTHENTICATED);
        app.points().grant(new PointsService.Change(owner.id(), 1, "test", null, null, null));
        UUID session = app.sessions().create(owner, "chat", model).id();
        app.runs().enqueue(owner, session, "hello", null, null);
        RunExecutionService runs = app.runExecution(app.settings().worker());

        List<String> statements;
        try (SqlRecorder.Recording recording = sql.record()) {
            assertThat(runs.claimNext("worker", Instant.now().plusSeconds(1))).isPresent();
            statements = recording.statements();
        }
        assertThat(statements)
                .as("the claim, the model with its factory, the question moved under its parent's answer"
                        + " (when it still follows a question), the conversation by ids")
                .hasSize(4);
        assertThat(statements.getFirst()).contains("FOR UPDATE SKIP LOCKED");
    }
}
