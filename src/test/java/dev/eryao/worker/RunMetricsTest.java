package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.services.QueueGauges;
import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunView;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.Failure;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A run seen through the metrics: accepted, claimed, its first piece, its model call (latency,
 * tokens, an error's kind), how its attempt ended and what it was charged, each labelled by the
 * model as the catalog names it.
 */
class RunMetricsTest {
    private final RunFixture fixture = new RunFixture();
    private final MeterRegistry metrics = fixture.app.metrics();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void aSucceededRunIsCountedFromItsAcceptanceToItsCharge() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        RunAccepted task = fixture.enqueue(owner, "hello");
        assertThat(counter("eryao.runs.accepted")).isEqualTo(1);
        assertThat(gauge("eryao.runs.queued")).isEqualTo(1);
        fixture.llm.then(new Answer("Hello there, how can I help?", 12, 7));

        try (Worker worker = fixture.worker(1, 1)) {
            assertThat(worker.performDue()).isEqualTo(1);
        }

        RunView run = fixture.app.runs().get(owner.user(), task.taskId());
        assertThat(counter("eryao.runs.claimed")).isEqualTo(1);
        assertThat(counter("eryao.runs.finished", "status", "succeeded")).isEqualTo(1);
        assertThat(timer("eryao.runs.attempt.duration", "outcome", "succeeded")).isEqualTo(1);
        assertThat(timer("eryao.runs.first.piece")).isEqualTo(1);
        assertThat(timer(
                        "eryao.llm.call.duration",
                        "factory",
                        fixture.factoryName,
                        "model",
                        "fake-model",
                        "outcome",
                        "ok"))
                .isEqualTo(1);
        assertThat(counter("eryao.llm.tokens", "factory", fixture.factoryName, "type", "input"))
                .isEqualTo(12);
        assertThat(counter("eryao.llm.tokens", "factory", fixture.factoryName, "type", "output"))
                .isEqualTo(7);
        assertThat(counter("eryao.runs.charged.points", "factory", fixture.factoryName, "model", "fake-model"))
                .isEqualTo(run.chargedPoints().doubleValue())
                .isPositive();
        assertThat(gauge("eryao.runs.queued")).isZero();
    }

    @Test
    void aRateLimitedCallIsCountedByItsKindAndItsRunRetried() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        fixture.enqueue(owner, "hello");
        fixture.llm.then(new Failure(429, "{\"error\":{\"message\":\"slow down\"}}"));

        try (Worker worker = fixture.worker(1, 2)) {
            assertThat(worker.performDue()).isEqualTo(1);
        }

        assertThat(counter("eryao.llm.call.errors", "factory", fixture.factoryName, "kind", "rate_limited"))
                .isEqualTo(1);
        assertThat(timer("eryao.llm.call.duration", "factory", fixture.factoryName, "outcome", "error"))
                .isEqualTo(1);
        assertThat(timer("eryao.runs.attempt.duration", "outcome", "failed")).isEqualTo(1);
        assertThat(counter("eryao.runs.retried")).isEqualTo(1);
        assertThat(counter("eryao.runs.finished", "status", "failed")).isZero();
        assertThat(gauge("eryao.runs.queued"))
                .as("queued again, waiting out its backoff")
                .isEqualTo(1);
    }

    private double counter(String name, String... tags) {
        Counter counter = metrics.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private long timer(String name, String... tags) {
        Timer timer = metrics.find(name).tags(tags).timer();
        return timer == null ? 0 : timer.count();
    }

    private double gauge(String name) throws InterruptedException {
        // One reading serves a scrape's gauges for a second: wait it out, to read this moment's queue.
        Thread.sleep(QueueGauges.FRESH_FOR.plusMillis(50));
        return metrics.find(name).gauge().value();
    }
}
