package dev.eryao.worker;

import dev.eryao.core.config.WorkerSettings;
import dev.eryao.provider.ChatCompletionsClient;
import dev.eryao.services.RunExecutionService;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works off queued agent runs: {@code concurrency} virtual threads each claim and perform runs
 * until none is due, then wait a poll interval; one more thread takes back expired leases. Any
 * number of workers in any number of processes may run against one database. {@link #runOnce()}
 * does the same on the caller's thread until nothing is due, for tests and one-shot use.
 *
 * <p>Start and close are safe to repeat. Closing lets each thread finish the run it is performing
 * (up to a bound) before it stops; a run still unfinished then is abandoned and, once its lease
 * expires, taken again by a rescuer.
 */
public final class Worker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    /** How long close waits for runs being performed before it interrupts them. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final WorkerSettings settings;
    private final RunPerformer performer;
    private final LeaseRescuer rescuer;
    private final String id;
    private final List<Thread> performers = new ArrayList<>();
    private Thread rescuerThread;
    private volatile boolean stopping;

    public Worker(RunExecutionService runs, ChatCompletionsClient llm, WorkerSettings settings, Clock clock) {
        this.settings = settings;
        this.id = workerId();
        this.performer = new RunPerformer(runs, llm, clock, id);
        this.rescuer = new LeaseRescuer(runs, clock);
    }

    /** Who this worker is in {@code agent_run.leased_by}: host, process and a random part. */
    public String id() {
        return id;
    }

    /** Performs due runs on this thread until none is left; how many it performed. */
    public int runOnce() {
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
        stopping = true;
        if (rescuerThread != null) {
            rescuerThread.interrupt();
        }
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        for (Thread thread : performers) {
            try {
                if (!thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    log.warn("{} still performing a run after {}: abandoning it to the lease rescuer",
                            thread.getName(), STOP_WAIT);
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

    private void performLoop() {
        while (!stopping && !Thread.currentThread().isInterrupted()) {
            try {
                if (!performer.performNext()) {
                    TimeUnit.MILLISECONDS.sleep(settings.pollIntervalMs());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // e.g. the database is down: keep the worker alive and try again after a pause
                log.warn("worker {}: {}", id, e.toString());
                pause(settings.pollIntervalMs());
            }
        }
    }

    private void rescueLoop() {
        long intervalMs = Math.max(1_000, settings.leaseSeconds() * 1000L / 4);
        while (!stopping && !Thread.currentThread().isInterrupted()) {
            try {
                rescuer.runOnce();
            } catch (RuntimeException e) {
                log.warn("lease rescuer: {}", e.toString());
            }
            pause(intervalMs);
        }
    }

    private static void pause(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String workerId() {
        String process = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
        return process + "/" + UUID.randomUUID().toString().substring(0, 8);
    }
}
