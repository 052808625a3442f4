package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eryao.api.ReadinessCheck;
import dev.eryao.migrations.SchemaStatus;
import dev.eryao.models.RunStatus;
import dev.eryao.provider.ChatCompletionsClient;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunView;
import dev.eryao.support.FakeLlmServer.Streamed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A run always ends, whatever its worker thread meets: each kind of throwable, put in front of the
 * model's call or into its listener mid-answer (the real client, on a real loopback model, with
 * the fault in between), and the database refusing the pieces or the outcome (a real trigger
 * raising a real error). The run is recorded failed (or retried and then succeeds), its hold is
 * released, and the thread goes on to the next run; an error the process cannot survive ends the
 * process, and the lease brings the run back to another worker.
 */
class RunAlwaysEndsTest {
    /** Put in every injected throwable's message: it must reach neither the run nor the log as text. */
    private static final String SECRET = "Bearer sk-do-not-show-me";

    private static final List<Supplier<Throwable>> KINDS = List.of(
            () -> new IllegalArgumentException("invalid header value: " + SECRET),
            () -> new IllegalStateException(SECRET),
            () -> new UncheckedIOException(new IOException(SECRET)),
            () -> new AssertionError(SECRET),
            StackOverflowError::new,
            () -> new NoClassDefFoundError(SECRET));

    private final RunFixture fixture = new RunFixture();
    private final List<Throwable> fatal = new CopyOnWriteArrayList<>();
    /** What the next call to the model meets, once; null: nothing. */
    private final AtomicReference<Fault> next = new AtomicReference<>();

    private enum Stage {
        BEFORE_THE_CALL,
        MID_ANSWER
    }

    private record Fault(Stage stage, Throwable error) {}

    @AfterEach
    void close() {
        fixture.close();
    }

    /** The real client, with the next fault (if any) put before its call or into its listener. */
    private ModelCall faultyModel() {
        ChatCompletionsClient client = new ChatCompletionsClient(fixture.llmSettings());
        return (call, onDelta, cancel) -> {
            Fault fault = next.getAndSet(null);
            if (fault == null) {
                return client.stream(call, onDelta, cancel);
            }
            if (fault.stage() == Stage.BEFORE_THE_CALL) {
                throw sneaky(fault.error());
            }
            return client.stream(
                    call,
                    piece -> {
                        onDelta.onDelta(piece);
                        throw sneaky(fault.error());
                    },
                    cancel);
        };
    }

    private Worker worker(int concurrency, int maxAttempts) {
        return new Worker(
                fixture.app.runExecution(fixture.settings(concurrency, maxAttempts)),
                faultyModel(),
                fixture.settings(concurrency, maxAttempts),
                fixture.clock,
                fatal::add);
    }

    @Test
    void anErrorInTheAnswersWriterStopsTheCallAndFailsTheAttempt() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        // The writer's thread alone meets an error when it asks the time for its first write: a bug
        // of its own, not the database's (which it would retry).
        Clock writerFails = new Clock() {
            @Override
            public Instant instant() {
                if (Thread.currentThread().getName().startsWith("eryao-answer-")) {
                    throw new AssertionError(SECRET);
                }
                return fixture.clock.instant();
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }
        };
        fixture.llm.then(new Streamed(List.of("one ", "two ", "three"), Duration.ofMillis(200), 10, 3));
        RunAccepted task = fixture.enqueue(owner, "hello");
        try (Worker worker = new Worker(
                fixture.app.runExecution(fixture.settings(1, 1)),
                faultyModel(),
                fixture.settings(1, 1),
                writerFails,
                fatal::add)) {
            assertThat(worker.performDue()).isEqualTo(1);
        }
        RunView view = run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.FAILED);
        assertThat(view.error())
                .contains("while storing its answer")
                .contains("AssertionError")
                .doesNotContain("sk-do-not-show-me");
        assertThat(fixture.app.points().account(owner.user().id()).held()).isZero();
        assertThat(fatal).isEmpty();
    }

    @Test
    void everyKindOfThrowableAtEitherStageFailsTheRunReleasesItsHoldAndTheThreadGoesOn() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        try (Worker worker = worker(1, 1)) {
            worker.start();
            for (Stage stage : Stage.values()) {
                for (Supplier<Throwable> kind : KINDS) {
                    Throwable error = kind.get();
                    String label = stage + " " + error.getClass().getSimpleName();
                    next.set(new Fault(stage, error));
                    RunView failed = awaitEnded(owner, fixture.enqueue(owner, "hello " + label));

                    assertThat(failed.status()).as(label).isEqualTo(RunStatus.FAILED);
                    assertThat(failed.error())
                            .as(label)
                            .contains(error.getClass().getSimpleName())
                            .doesNotContain("sk-do-not-show-me");
                    assertThat(fixture.app.points().account(owner.user().id()).held())
                            .as(label)
                            .isZero();

                    RunView after = awaitEnded(owner, fixture.enqueue(owner, "and then " + label));
                    assertThat(after.status())
                            .as("the thread goes on after " + label)
                            .isEqualTo(RunStatus.SUCCEEDED);
                }
            }
            assertThat(worker.liveThreads()).isEqualTo(worker.startedThreads()).isEqualTo(1);
        }
        assertThat(fatal).isEmpty();
        assertThat(fixture.count("SELECT count(*) FROM agent_run WHERE status IN ('queued', 'running')"))
                .isZero();
    }

    @Test
    void anUnexpectedFailureIsRetriedWhileAttemptsRemain() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        next.set(new Fault(Stage.MID_ANSWER, new IllegalStateException(SECRET)));
        try (Worker worker = worker(1, 3)) {
            RunAccepted task = fixture.enqueue(owner, "hello");
            assertThat(worker.performDue()).isEqualTo(1);
            assertThat(run(owner, task).status())
                    .as("queued again after a backoff")
                    .isEqualTo(RunStatus.QUEUED);

            fixture.clock.advance(Duration.ofMinutes(1));
            assertThat(worker.performDue()).isEqualTo(1);
        }
        RunView view = fixture.app
                .runs()
                .get(
                        owner.user(),
                        fixture
                                .strings(
                                        "SELECT id::text FROM agent_run WHERE owner_id = ?",
                                        owner.user().id())
                                .stream()
                                .map(java.util.UUID::fromString)
                                .findFirst()
                                .orElseThrow());
        assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(view.attempts()).isEqualTo(2);
        assertThat(fixture.count(
                        "SELECT count(*) FROM points_ledger WHERE owner_id = ?",
                        owner.user().id()))
                .as("the grant and one debit")
                .isEqualTo(2);
    }

    @Test
    void piecesTheDatabaseRefusesDoNotStopTheAnswerFromBeingStoredWhole() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        refuse("BEFORE INSERT ON agent_run_delta FOR EACH ROW");
        try (Worker worker = worker(1, 1)) {
            RunAccepted task = fixture.enqueue(owner, "hello");
            assertThat(worker.performDue()).isEqualTo(1);

            RunView view = run(owner, task);
            assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(view.output()).isEqualTo("Hello from the fake model.");
        }
        assertThat(fixture.count("SELECT count(*) FROM agent_run_delta")).isZero();
    }

    @Test
    void anOutcomeTheDatabaseRefusesLeavesTheRunToItsLeaseAndTheRescuerBringsItBack() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        refuse("BEFORE UPDATE ON agent_run FOR EACH ROW WHEN (NEW.status = 'succeeded')");
        RunAccepted task = fixture.enqueue(owner, "hello");
        try (Worker worker = worker(1, 2)) {
            // The error reaches the worker's loop (which logs it and goes on); here, the caller.
            assertThatThrownBy(worker::performDue).isInstanceOf(RuntimeException.class);
            // runOnce has returned, so the answer's writer has ended: nothing extends the lease any more.
            assertThat(run(owner, task).status()).isEqualTo(RunStatus.RUNNING);

            fixture.execute("DROP TRIGGER refuse ON agent_run");
            fixture.clock.advance(Duration.ofSeconds(RunFixture.LEASE_SECONDS + 1));
            assertThat(worker.rescueOnce()).isEqualTo(1);
            assertThat(worker.performDue()).isEqualTo(1);
        }
        RunView view = run(owner, task);
        assertThat(view.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(view.attempts()).isEqualTo(2);
        assertThat(fixture.app.points().account(owner.user().id()).held()).isZero();
    }

    @Test
    void anErrorTheProcessCannotSurviveEndsItAndTheLeaseBringsTheRunBack() throws Exception {
        RunFixture.Owner owner = fixture.owner(1_000);
        next.set(new Fault(Stage.MID_ANSWER, new OutOfMemoryError("injected")));
        RunAccepted task = fixture.enqueue(owner, "hello");
        try (Worker dying = worker(1, 2)) {
            dying.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (fatal.isEmpty() || dying.liveThreads() > 0) {
                assertThat(System.nanoTime())
                        .as("the fatal error reaches the worker")
                        .isLessThan(deadline);
                Thread.sleep(20);
            }
            assertThat(fatal).singleElement().isInstanceOf(OutOfMemoryError.class);
            ReadinessCheck readiness = new ReadinessCheck(
                    fixture.database.dataSource(),
                    new SchemaStatus(fixture.database),
                    () -> dying.startedThreads() - dying.liveThreads());
            assertThat(readiness.check())
                    .extracting(ReadinessCheck.Report::ready, ReadinessCheck.Report::workerThreadsDown)
                    .containsExactly(false, 1);
            assertThat(run(owner, task).status()).isEqualTo(RunStatus.RUNNING);
        }
        try (Worker other = worker(1, 2)) {
            fixture.clock.advance(Duration.ofSeconds(RunFixture.LEASE_SECONDS + 1));
            other.rescueOnce();
            assertThat(other.performDue()).isEqualTo(1);
        }
        assertThat(run(owner, task).status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    /** A trigger on the fixture's own database that makes PostgreSQL refuse what {@code when} says. */
    private void refuse(String when) throws Exception {
        fixture.execute("""
                CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'refused by the test'; END $$""");
        fixture.execute("CREATE TRIGGER refuse " + when + " EXECUTE FUNCTION refuse()");
    }

    private RunView run(RunFixture.Owner owner, RunAccepted task) {
        return fixture.app.runs().get(owner.user(), task.taskId());
    }

    private RunView awaitEnded(RunFixture.Owner owner, RunAccepted task) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            RunView view = run(owner, task);
            if (view.status().finished()) {
                return view;
            }
            assertThat(System.nanoTime()).as("run %s ends", task.taskId()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Throws any throwable from a lambda that declares none, as a fault of the JVM's or a bug would. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable error) throws T {
        throw (T) error;
    }
}
