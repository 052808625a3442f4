package dev.eryao.worker;

import dev.eryao.core.SafeTrace;
import dev.eryao.core.config.WorkerSettings;
import dev.eryao.provider.ChatCompletionsClient;
import dev.eryao.services.RunExecutionService;
import dev.eryao.services.tools.NoRegisteredTools;
import dev.eryao.services.tools.RegisteredTools;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works off queued agent runs: {@code concurrency} virtual threads each claim and perform runs
 * until none is due, then wait a poll interval; one more thread takes back expired leases. Any
 * number of workers in any number of processes may run against one database. {@link #performDue()}
 * does the same on the caller's thread until nothing is due, for tests and one-shot use.
 *
 * <p>Start and close are safe to repeat. Closing wakes the threads that wait (for the next poll,
 * or the rescuer's next pass) at once, and lets each thread finish the run it is performing (up to
 * a bound) before it stops; a run still unfinished then is abandoned and, once its lease expires,
 * taken again by a rescuer. Only such a thread is interrupted: an interrupt that lands in a
 * database call breaks it with an exception, so an idle worker is never interrupted and stops as
 * soon as its threads see the stop.
 */
public final class Worker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    /** How long close waits for runs being performed before it interrupts them. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    /** The rescuer looks four times a lease, but not more than once a second, however short the lease. */
    private final WorkerSettings settings;

    private final RunPerformer performer;
    private final LeaseRescuer rescuer;
    private final String id;
    private final List<Thread> performers = new ArrayList<>();
    private final Consumer<Throwable> onFatal;
    private Thread rescuerThread;
    private volatile boolean stopping;
    /** What a waiting thread waits on, so that close() wakes it at once instead of after its pause. */
    private final ReentrantLock pauses = new ReentrantLock();

    private final Condition stopped = pauses.newCondition();

    /**
     * @param tools    the registered tools its runs' models may call
     * @param registry where its runs' and model calls' metrics go
     */
    public Worker(
            RunExecutionService runs,
            ChatCompletionsClient llm,
            RegisteredTools tools,
            WorkerSettings settings,
            Clock clock,
            MeterRegistry registry) {
        this(runs, llm::stream, tools, settings, clock, Worker::endProcess, registry);
    }

    /** @param onFatal what a thread that met a {@link Fatal} error does: end the process (tests watch it instead) */
    Worker(
            RunExecutionService runs,
            ModelCall model,
            WorkerSettings settings,
            Clock clock,
            Consumer<Throwable> onFatal) {
        this(runs, model, new NoRegisteredTools(), settings, clock, onFatal, new SimpleMeterRegistry());
    }

    private Worker(
            RunExecutionService runs,
            ModelCall model,
            RegisteredTools tools,
            WorkerSettings settings,
            Clock clock,
            Consumer<Throwable> onFatal,
            MeterRegistry registry) {
        this.settings = settings;
        this.id = workerId();
        WorkerMetrics metrics = new WorkerMetrics(registry);
        this.performer = new RunPerformer(runs, new MeteredModelCall(model, metrics), tools, clock, id, metrics);
        this.rescuer = new LeaseRescuer(runs, clock);
        this.onFatal = onFatal;
    }

    /** Who this worker is in {@code agent_run.leased_by}: host, process and a random part. */
    public String id() {
        return id;
    }

    /** Performs due runs on this thread until none is left; how many it performed. */
    public int performDue() {
        int performed = 0;
        while (performer.performNext()) {
            performed++;
        }
        return performed;
    }

    /** Takes back runs whose lease expired, once; how many. */
    public int rescueOnce() {
        return rescuer.runOnce().size();
    }

    /** How many threads this worker was started with ({@code ERYAO_WORKER__CONCURRENCY}); 0 before start. */
    public synchronized int startedThreads() {
        return performers.size();
    }

    /**
     * How many of them are still working off runs: fewer than {@link #startedThreads()} only when a
     * thread ended on an error it could not go on after (the process is then ending).
     */
    public synchronized int liveThreads() {
        return (int) performers.stream().filter(Thread::isAlive).count();
    }

    public synchronized void start() {
        if (!performers.isEmpty() || settings.concurrency() == 0) {
            return;
        }
        stopping = false;
        for (int i = 0; i < settings.concurrency(); i++) {
            performers.add(Thread.ofVirtual().name("eryao-worker-" + i).start(this::performLoop));
        }
        rescuerThread = Thread.ofVirtual().name("eryao-lease-rescuer").start(this::rescueLoop);
        log.info("worker {} started: {} run(s) at once", id, settings.concurrency());
    }

    @Override
    public synchronized void close() {
        pauses.lock();
        try {
            stopping = true;
            stopped.signalAll();
        } finally {
            pauses.unlock();
        }
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        List<Thread> threads = new ArrayList<>(performers);
        if (rescuerThread != null) {
            threads.add(rescuerThread);
        }
        for (Thread thread : threads) {
            try {
                if (!thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    log.warn(
                            "{} still busy after {}: interrupting it (a run it performs is left to the lease rescuer)",
                            thread.getName(),
                            STOP_WAIT);
                    thread.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        performers.clear();
        rescuerThread = null;
    }

    /**
     * Claims and performs runs until closed. Nothing but a {@link Fatal} error ends it: anything else
     * a run meets is recorded on the run by the performer, and what escapes it (the database is
     * down, say) is logged, and the thread goes on after a pause.
     */
    private void performLoop() {
        while (!stopping && !Thread.currentThread().isInterrupted()) {
            try {
                if (!performer.performNext()) {
                    pause(settings.pollInterval());
                }
            } catch (Throwable e) {
                if (Fatal.is(e)) {
                    onFatal.accept(e);
                    return;
                }
                // Classes and frames, no message: a message can quote a run's input or a key.
                log.warn("worker {}: {}", id, SafeTrace.of(e));
                pause(settings.pollInterval());
            }
        }
    }

    /**
     * After a {@link Fatal} error: the process exits at once (no shutdown hooks, which could wait on
     * the broken state), and the runs it held are taken back by another worker when their leases expire.
     */
    private static void endProcess(Throwable error) {
        try {
            log.error(
                    "worker: {} — the process exits; its runs are taken back when their leases expire",
                    error.getClass().getName());
        } finally {
            Runtime.getRuntime().halt(70);
        }
    }

    private void rescueLoop() {
        Duration interval = LeaseRescuer.interval(settings.lease());
        while (!stopping && !Thread.currentThread().isInterrupted()) {
            try {
                rescuer.runOnce();
            } catch (Throwable e) {
                if (Fatal.is(e)) {
                    onFatal.accept(e);
                    return;
                }
                log.warn("lease rescuer: {}", SafeTrace.of(e));
            }
            pause(interval);
        }
    }

    /** Waits {@code time}, or less when the worker is closed meanwhile. */
    private void pause(Duration time) {
        pauses.lock();
        try {
            long left = time.toNanos();
            while (!stopping && left > 0) {
                left = stopped.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pauses.unlock();
        }
    }

    private static String workerId() {
        String process = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
        return process + "/" + UUID.randomUUID().toString().substring(0, 8);
    }
}
