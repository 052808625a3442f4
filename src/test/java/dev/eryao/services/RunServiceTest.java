package dev.eryao.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.App;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.models.RunStatus;
import dev.eryao.support.SqlRecorder;
import dev.eryao.support.TestDatabase;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The API's side of runs on the suite's database: what enqueue accepts, holds and refuses, what a
 * read and a cancel answer, and what each costs in statements — enqueue's five and a commit, a
 * read's one — pinned, so that one more statement on these paths fails here.
 */
class RunServiceTest {
    private static final App app = TestDatabase.get().app();
    private static final UUID pricedModel;

    static {
        UUID factory =
                app.catalog().createFactory("priced-" + UUID.randomUUID()).id();
        pricedModel = app.catalog()
                .createModel(new ModelDraft(
                        factory,
                        "priced",
                        "Priced",
                        "http://127.0.0.1:9/v1/chat/completions",
                        new BigDecimal("1"),
                        new BigDecimal("1"),
                        8_192,
                        true))
                .id();
    }

    private static CurrentUser owner(long points) {
        CurrentUser user = new CurrentUser(UUID.randomUUID(), CurrentUser.AUTHENTICATED);
        if (points > 0) {
            app.points().grant(new PointsService.Change(user.id(), points, "test", null, null, null));
        }
        return user;
    }

    @Test
    void anAcceptedRunIsFiveStatementsItsSessionsLockReadHoldMessageAndRun() {
        CurrentUser owner = owner(1_000);
        UUID session = app.sessions().create(owner, "chat", pricedModel).id();
        List<String> statements;
        RunAccepted accepted;
        try (SqlRecorder.Recording recording = TestDatabase.get().sql().record()) {
            accepted = app.runs().enqueue(owner, session, "hello", null, "key-1");
            statements = recording.statements();
        }
        assertThat(statements)
                .as("the session's lock; the read of session, points, model and open runs; the hold; the message;"
                        + " the run")
                .hasSize(5);
        assertThat(app.points().account(owner.id()).held()).isPositive();
        assertThat(app.runs().enqueue(owner, session, "hello", null, "key-1").taskId())
                .as("a replay is the same run")
                .isEqualTo(accepted.taskId());
    }

    @Test
    void aReadIsOneStatement() {
        CurrentUser owner = owner(1_000);
        UUID session = app.sessions().create(owner, "chat", pricedModel).id();
        UUID run = app.runs().enqueue(owner, session, "hello", null, null).taskId();
        try (SqlRecorder.Recording recording = TestDatabase.get().sql().record()) {
            assertThat(app.runs().get(owner, run).status()).isEqualTo(RunStatus.QUEUED);
            assertThat(recording.statements()).hasSize(1);
        }
    }

    @Test
    void whatCannotRunIsRefusedAndWritesNothing() {
        CurrentUser poor = owner(0);
        UUID session = app.sessions().create(poor, "chat", pricedModel).id();
        assertThatThrownBy(() -> app.runs().enqueue(poor, session, "hello", null, null))
                .isInstanceOf(InsufficientPointsException.class);
        CurrentUser rich = owner(1_000);
        UUID noModel = app.sessions().create(rich, "chat", null).id();
        assertThatThrownBy(() -> app.runs().enqueue(rich, noModel, "hello", null, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("llm_id");
        assertThatThrownBy(() -> app.runs().get(rich, UUID.randomUUID())).isInstanceOf(NotFoundException.class);
        assertThat(app.points().account(rich.id()).held()).isZero();
        assertThat(app.messages()
                        .list(
                                rich,
                                noModel,
                                new dev.eryao.services.MessageService.Selection.All(),
                                dev.eryao.core.db.PageRequest.oldestFirst(10, null))
                        .items())
                .isEmpty();
    }

    @Test
    void aCancelOfAQueuedRunEndsItAndGivesItsHoldBack() {
        CurrentUser owner = owner(1_000);
        UUID session = app.sessions().create(owner, "chat", pricedModel).id();
        UUID run = app.runs().enqueue(owner, session, "hello", null, null).taskId();

        assertThat(app.runs().cancel(owner, run).status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(app.points().account(owner.id()).held()).isZero();
        assertThat(app.runs().cancel(owner, run).status())
                .as("repeating it is harmless")
                .isEqualTo(RunStatus.CANCELLED);
        assertThatThrownBy(() -> app.runs().cancel(owner(0), run)).isInstanceOf(NotFoundException.class);
    }
}
