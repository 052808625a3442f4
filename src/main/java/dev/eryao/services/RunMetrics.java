package dev.eryao.services;

import dev.eryao.models.RunStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What happens to runs, as the services record it: accepted, claimed, finished by status (and
 * queued again after a failure, or taken back from a worker that let its lease expire), the points
 * their models' use was charged, and what their holds could not cover. Runs are counted once the
 * unit of work that moved them has committed; points as the charge is written, in its unit of
 * work (only a failing commit, which the outcome's retry then repeats, could count them twice).
 *
 * <p>{@code eryao.runs.finished} carries one label, {@code status}; a {@code stop_reason} label
 * can join it when runs record why they stopped. Labels hold bounded values only: a status, and a
 * model as the catalog names it (factory name and model code), never a run or an owner.
 */
public final class RunMetrics {
    private final MeterRegistry registry;
    private final Counter accepted;
    private final Counter claimed;
    private final Counter retried;
    private final Counter rescued;
    private final Counter parked;
    private final Map<RunStatus, Counter> finished = new EnumMap<>(RunStatus.class);
    private final Map<ChargedModel, Counter> charged = new ConcurrentHashMap<>();
    private final Counter capped;
    private final Counter uncharged;

    private record ChargedModel(String factory, String model) {}

    public RunMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.accepted = Counter.builder("eryao.runs.accepted")
                .description("runs queued by POST .../runs (a repeated Idempotency-Key is not counted again)")
                .register(registry);
        this.claimed = Counter.builder("eryao.runs.claimed")
                .description("attempts begun: runs a worker claimed from the queue")
                .register(registry);
        this.retried = Counter.builder("eryao.runs.retried")
                .description("attempts that failed and were queued again, to be retried after a backoff")
                .register(registry);
        this.parked = Counter.builder("eryao.runs.parked")
                .description(
                        "attempts that ended parked: the run waits for its owner's approval or a client tool's output")
                .register(registry);
        this.rescued = Counter.builder("eryao.runs.rescued")
                .description("runs taken back from a worker whose lease expired and queued again")
                .register(registry);
        for (RunStatus status : RunStatus.values()) {
            if (status.finished()) {
                finished.put(
                        status,
                        Counter.builder("eryao.runs.finished")
                                .description("runs that ended, by their final status")
                                .tag("status", status.wireName())
                                .register(registry));
            }
        }
        this.capped = Counter.builder("eryao.runs.charge.capped")
                .description("runs whose reported usage priced above their hold; charged at the hold")
                .register(registry);
        this.uncharged = Counter.builder("eryao.runs.uncharged.points")
                .description("points of reported usage beyond runs' holds, not charged to their owners")
                .baseUnit("points")
                .register(registry);
    }

    void accepted() {
        accepted.increment();
    }

    void claimed() {
        claimed.increment();
    }

    void parked() {
        parked.increment();
    }

    /** A statement left a run {@code status}: finished, or queued again after {@code rescue} or a failure. */
    void left(RunStatus status, boolean rescue) {
        if (status.finished()) {
            finished.get(status).increment();
        } else if (status == RunStatus.QUEUED) {
            (rescue ? rescued : retried).increment();
        }
    }

    /** Points taken from an owner for a run of this model. */
    void charged(String factory, String model, long points) {
        if (points > 0) {
            charged.computeIfAbsent(
                            new ChargedModel(factory, model),
                            key -> Counter.builder("eryao.runs.charged.points")
                                    .description("points charged to owners for runs, by the model that answered")
                                    .baseUnit("points")
                                    .tag("factory", factory)
                                    .tag("model", model)
                                    .register(registry))
                    .increment(points);
        }
    }

    void chargeCapped(long unchargedPoints) {
        capped.increment();
        uncharged.increment(unchargedPoints);
    }
}
