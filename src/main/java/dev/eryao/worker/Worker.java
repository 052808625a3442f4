package dev.eryao.worker;

import dev.eryao.core.SafeTrace;
import dev.eryao.core.config.WorkerSettings;
import dev.eryao.core.db.Notifications;
import dev.eryao.core.tracing.Tracing;
import dev.eryao.provider.ChatCompletionsClient;
import dev.eryao.services.ClaimedRun;
import dev.eryao.services.RunExecutionService;
import dev.eryao.services.RunTraces;
import dev.eryao.services.tools.NoRegisteredTools;
import dev.eryao.services.tools.RegisteredTools;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works off queued agent runs, after River: one fetch loop claims, in one statement, as many due
 * runs as it has free slots ({@code concurrency} of them) and hands each to a performer thread of
 * its own; one more thread takes back expired leases. Any number of workers in any number of
 * processes may run against one database. {@link #performDue()} claims and performs on the
 * caller's thread until nothing is due, for tests and one-shot use.
 *
 * <p>Between fetches the loop waits to be woken, not on a timer: by an announcement of a run that
 * may be claimable now (a run inserted, queued again, or ended, which may free its session's next
 * run: {@link RunExecutionService#CLAIMABLE_KEY}), heard on the process's {@code LISTEN}
 * connection; by a slot of its own coming free; or at the time a retry it scheduled falls due. It
 * looks anyway every {@code ERYAO_WORKER__FALLBACK_POLL_MS} (a retry another process scheduled, a
 * lost announcement), and every {@code ERYAO_WORKER__POLL_INTERVAL_MS} while nothing can be heard
 * (no listen address, or the connection is lost). So an idle process sends the database a claim
 * now and then, however many slots it has.
 *
 * <p>Start and close are safe to repeat. Closing wakes the threads that wait (the fetch loop, idle
 * performers, the rescuer) at once, and lets each performer finish the run it is performing (up to
 * a bound) before it stops; a run still unfinished then is abandoned and, once its lease expires,
 * taken again by a rescuer. Only such a thread is interrupted: an interrupt that lands in a
 * database call breaks it with an exception, so an idle worker is never interrupted and stops as
 * soon as its threads see the stop.
 */
public final class Worker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    /** How long close waits for runs being performed before it interrupts them. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final WorkerSettings settings;
    private final RunExecutionService runs;
    private final RunPerformer performer;
    private final LeaseRescuer rescuer;
    private final String id;
    private final Clock clock;
    /** Where announcements of runs are heard, or null: this worker then looks every poll interval. */
    private final Notifications announcements;

    private final List<Thread> performers = new ArrayList<>();
    private final Consumer<Throwable> onFatal;
    private Thread fetcherThread;
    private Thread rescuerThread;
    private Notifications.Subscription woken;
    private volatile boolean stopping;
    /**
     * Guards the hand-off: the runs claimed and not yet taken by a performer, how many performers
     * have nothing to do, whether the fetch loop has ended; and what close() wakes the idle
     * performers and the rescuer with.
     */
    private final ReentrantLock pauses = new ReentrantLock();

    private final Condition stopped = pauses.newCondition();
    private final Condition handed = pauses.newCondition();
    private final Deque<Handed> claimed = new ArrayDeque<>();
    private int freeSlots;
    private boolean fetcherEnded;
    /**
     * The fetch loop's wake-up: one permit however many wakes came while it was busy, so that a
     * wake during a claim (whose snapshot may predate the news) makes it claim again at once.
     */
    private final Semaphore wakes = new Semaphore(0);

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
        this(runs, llm, tools, settings, clock, registry, Tracing.off(), null);
    }

    /**
     * @param tracing       where its runs' attempts, model and tool calls are traced (off: nowhere)
     * @param announcements the process's announcements of runs, which wake its fetch loop; null to
     *                      look for due runs every poll interval instead
     */
    public Worker(
            RunExecutionService runs,
            ChatCompletionsClient llm,
            RegisteredTools tools,
            WorkerSettings settings,
            Clock clock,
            MeterRegistry registry,
            Tracing tracing,
            Notifications announcements) {
        this(runs, llm::stream, tools, settings, clock, Worker::endProcess, registry, tracing, announcements);
    }

    /** @param onFatal what a thread that met a {@link Fatal} error does: end the process (tests watch it instead) */
    Worker(
            RunExecutionService runs,
            ModelCall model,
            WorkerSettings settings,
            Clock clock,
            Consumer<Throwable> onFatal) {
        this(
                runs,
                model,
                new NoRegisteredTools(),
                settings,
                clock,
                onFatal,
                new SimpleMeterRegistry(),
                Tracing.off(),
                null);
    }

    private Worker(
            RunExecutionService runs,
            ModelCall model,
            RegisteredTools tools,
            WorkerSettings settings,
            Clock clock,
            Consumer<Throwable> onFatal,
            MeterRegistry registry,
            Tracing tracing,
            Notifications announcements) {
        this.settings = settings;
        this.runs = runs;
        this.clock = clock;
        this.announcements = announcements;
        this.id = workerId();
        WorkerMetrics metrics = new WorkerMetrics(registry);
        // Off, nothing is wrapped: the calls go as they did before traces existed.
        ModelCall traced = tracing.enabled() ? new TracedModelCall(model, tracing.tracer()) : model;
        RegisteredTools calledTools = tracing.enabled() ? new TracedRegisteredTools(tools, tracing.tracer()) : tools;
        this.performer = new RunPerformer(
                runs, new MeteredModelCall(traced, metrics), calledTools, clock, id, metrics, RunTraces.of(tracing));
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

    /** Ends the runs parked past the parked expiry, once; how many. */
    public int expireParkedOnce() {
        return rescuer.expireParked().size();
    }

    /**
     * How many performer threads this worker was started with ({@code ERYAO_WORKER__CONCURRENCY});
     * 0 before start.
     */
    public synchronized int startedThreads() {
        return performers.size();
    }

    /**
     * How many of them are still working off runs: fewer than {@link #startedThreads()} only when a
     * thread ended on an error it could not go on after (the process is then ending); none once
     * the fetch loop has, as no run reaches them any more.
     */
    public synchronized int liveThreads() {
        if (fetcherThread != null && !fetcherThread.isAlive()) {
            return 0;
        }
        return (int) performers.stream().filter(Thread::isAlive).count();
    }

    public synchronized void start() {
        if (!performers.isEmpty() || settings.concurrency() == 0) {
            return;
        }
        stopping = false;
        pauses.lock();
        try {
            claimed.clear();
            freeSlots = settings.concurrency();
            fetcherEnded = false;
        } finally {
            pauses.unlock();
        }
        wakes.drainPermits();
        // Subscribed before the first fetch, so that no run inserted after it goes unheard.
        woken = announcements == null ? null : announcements.subscribe(RunExecutionService.CLAIMABLE_KEY, this::wake);
        for (int i = 0; i < settings.concurrency(); i++) {
            performers.add(Thread.ofVirtual().name("eryao-worker-" + i).start(this::performLoop));
        }
        fetcherThread = Thread.ofVirtual().name("eryao-worker-fetch").start(this::fetchLoop);
        rescuerThread = Thread.ofVirtual().name("eryao-lease-rescuer").start(this::rescueLoop);
        log.info(
                "worker {} started: {} run(s) at once, {}",
                id,
                settings.concurrency(),
                announcements == null
                        ? "looking for due runs every "
                                + settings.pollInterval().toMillis() + " ms"
                        : "woken by run announcements (looking anyway every "
                                + settings.fallbackPoll().toMillis() + " ms, and every "
                                + settings.pollInterval().toMillis() + " ms while it cannot LISTEN)");
    }

    @Override
    public synchronized void close() {
        pauses.lock();
        try {
            stopping = true;
            stopped.signalAll();
            handed.signalAll();
        } finally {
            pauses.unlock();
        }
        wake();
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        List<Thread> threads = new ArrayList<>();
        // The fetch loop first: a claim it was making is handed to the performers, which perform it.
        if (fetcherThread != null) {
            threads.add(fetcherThread);
        }
        threads.addAll(performers);
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
        if (woken != null) {
            woken.close();
            woken = null;
        }
        performers.clear();
        fetcherThread = null;
        rescuerThread = null;
    }

    /** Wakes the fetch loop: something may be claimable now (it is safe to call from any thread, never blocks). */
    private void wake() {
        if (wakes.availablePermits() == 0) {
            wakes.release();
        }
    }

    /**
     * Claims as many due runs as there are free performers, hands them over, and waits to be woken
     * (see the class), until closed. Nothing but a {@link Fatal} error ends it: what a claim meets
     * (the database is down, say) is logged, and the loop goes on after a poll interval.
     */
    private void fetchLoop() {
        try {
            while (!stopping && !Thread.currentThread().isInterrupted()) {
                Duration wait;
                try {
                    int free = free();
                    if (free > 0) {
                        hand(performer.claim(free));
                    }
                    wait = nextLook();
                } catch (Throwable e) {
                    if (Fatal.is(e)) {
                        onFatal.accept(e);
                        return;
                    }
                    // Classes and frames, no message: a message can quote a run's input or a key.
                    log.warn("worker {}: {}", id, SafeTrace.of(e));
                    wait = settings.pollInterval();
                }
                awaitWake(wait);
            }
        } finally {
            pauses.lock();
            try {
                fetcherEnded = true;
                handed.signalAll();
            } finally {
                pauses.unlock();
            }
        }
    }

    /**
     * How long the fetch loop may wait for a wake before it looks anyway: the fallback poll while
     * announcements are heard, the poll interval while they cannot be; no longer than until the
     * earliest retry this worker scheduled is due.
     */
    private Duration nextLook() {
        Duration wait =
                announcements != null && announcements.live() ? settings.fallbackPoll() : settings.pollInterval();
        Instant now = clock.instant();
        Optional<Instant> retry = runs.nextRetryAfter(now);
        if (retry.isPresent()) {
            // A millisecond past it, so that the run is due when the claim reads the clock.
            Duration untilRetry = Duration.between(now, retry.get()).plusMillis(1);
            if (untilRetry.compareTo(wait) < 0) {
                wait = untilRetry;
            }
        }
        return wait;
    }

    private void awaitWake(Duration timeout) {
        try {
            if (wakes.tryAcquire(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
                wakes.drainPermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int free() {
        pauses.lock();
        try {
            return freeSlots;
        } finally {
            pauses.unlock();
        }
    }

    private void hand(RunPerformer.Claimed claim) {
        if (claim.runs().isEmpty()) {
            return;
        }
        pauses.lock();
        try {
            for (ClaimedRun run : claim.runs()) {
                claimed.add(new Handed(run, claim.claimStarted()));
                freeSlots--;
            }
            handed.signalAll();
        } finally {
            pauses.unlock();
        }
    }

    /** A claimed run on its way to a performer. */
    private record Handed(ClaimedRun run, long claimStarted) {}

    /** The next claimed run to perform; null once closed and the fetch loop has ended with nothing left to hand. */
    private Handed nextHanded() {
        pauses.lock();
        try {
            while (claimed.isEmpty()) {
                if (stopping && fetcherEnded) {
                    return null;
                }
                handed.await();
            }
            return claimed.poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            pauses.unlock();
        }
    }

    /**
     * Performs the runs the fetch loop hands over until closed. Nothing but a {@link Fatal} error
     * ends it: anything else a run meets is recorded on the run by the performer, and what escapes
     * it (the database is down, say) is logged, and the thread takes the next run. Each run ended
     * frees its slot and wakes the fetch loop: more may be due, and its session's next run may be.
     */
    private void performLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            Handed next = nextHanded();
            if (next == null) {
                return;
            }
            try {
                performer.perform(next.run(), next.claimStarted());
            } catch (Throwable e) {
                if (Fatal.is(e)) {
                    onFatal.accept(e);
                    return;
                }
                // Classes and frames, no message: a message can quote a run's input or a key.
                log.warn("worker {}: {}", id, SafeTrace.of(e));
            }
            pauses.lock();
            try {
                freeSlots++;
            } finally {
                pauses.unlock();
            }
            wake();
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
                rescuer.expireParked();
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
