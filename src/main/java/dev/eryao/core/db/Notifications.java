package dev.eryao.core.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel's notifications for this whole process, through one connection that {@code LISTEN}s
 * on it: a waiter subscribes to a key (one of the space-separated keys a notification's payload
 * carries: a run's id, its session's id) and is woken when one arrives, so any number of waiters cost the database nothing while nothing
 * happens. {@code NOTIFY} is sent by whoever changes the data, in the same transaction, and works
 * through a transaction pooler; {@code LISTEN} does not, so the listening connection needs a
 * session-mode or direct address.
 *
 * <p>Without such an address, or while the connection is lost, waiters are woken every
 * {@code pollInterval} instead and read for themselves: slower and dearer, never stuck. When the
 * connection comes back every waiter is woken once, since notifications sent meanwhile are lost.
 */
public final class Notifications implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Notifications.class);
    /** How long one wait for the server's notifications lasts, so close() is noticed soon. */
    private static final int RECEIVE_TIMEOUT_MS = 250;

    private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(10);

    private final String channel;
    private final Optional<DataSource> source;
    private final Duration pollInterval;
    private final Map<String, Set<Subscription>> waiters = new ConcurrentHashMap<>();
    private final Thread listener;
    private volatile boolean live;
    private volatile boolean closed;
    private volatile Connection connection;

    /**
     * Starts listening (when {@code source} is present) on a thread of its own.
     *
     * @param channel      a plain identifier (it is written into {@code LISTEN} as is)
     * @param source       where the listening connection comes from, or empty to poll
     * @param pollInterval how often waiters are woken while nothing is listening
     */
    public Notifications(String channel, Optional<DataSource> source, Duration pollInterval) {
        if (!channel.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a plain channel name: " + channel);
        }
        this.channel = channel;
        this.source = source;
        this.pollInterval = pollInterval;
        if (source.isPresent()) {
            listener =
                    Thread.ofPlatform().daemon().name("eryao-listen-" + channel).start(this::listen);
        } else {
            listener = null;
            log.warn(
                    "no session-mode address to LISTEN on (ERYAO_DATABASE__LISTEN_HOST/PORT with a transaction"
                            + " pooler): run event streams read the database every {} ms instead, and workers"
                            + " look for due runs every ERYAO_WORKER__POLL_INTERVAL_MS",
                    pollInterval.toMillis());
        }
    }

    /** Whether notifications arrive right now (false: waiters are polling). */
    public boolean live() {
        return live;
    }

    /** Waits for notifications carrying {@code key}; close the subscription when done. */
    public Subscription subscribe(String key) {
        return subscribe(key, null);
    }

    /**
     * As {@link #subscribe(String)}, and {@code onSignal} is called each time the subscription is
     * signalled (a notification for {@code key}, every waiter woken after the connection came back,
     * close): on the listening thread, so it must only hand the news on, never block.
     */
    public Subscription subscribe(String key, Runnable onSignal) {
        Subscription subscription = new Subscription(key, onSignal);
        waiters.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(subscription);
        return subscription;
    }

    /**
     * How many subscriptions are open that wait (for metrics and tests): one per run event stream.
     * A worker's, which is called back instead of waiting, is not among them.
     */
    public int subscriptions() {
        return waiters.values().stream()
                .mapToInt(set ->
                        (int) set.stream().filter(s -> s.onSignal == null).count())
                .sum();
    }

    private void listen() {
        Duration delay = Duration.ofMillis(250);
        while (!closed) {
            try (Connection opened = source.orElseThrow().getConnection()) {
                connection = opened;
                opened.setAutoCommit(true);
                try (Statement statement = opened.createStatement()) {
                    statement.execute("LISTEN " + channel);
                }
                PGConnection pg = opened.unwrap(PGConnection.class);
                live = true;
                delay = Duration.ofMillis(250);
                wakeAll();
                log.info("listening for {} notifications", channel);
                while (!closed) {
                    PGNotification[] received = pg.getNotifications(RECEIVE_TIMEOUT_MS);
                    if (received != null) {
                        for (PGNotification notification : received) {
                            wake(notification.getParameter());
                        }
                    }
                }
            } catch (SQLException e) {
                if (closed) {
                    return;
                }
                live = false;
                wakeAll();
                log.warn(
                        "lost the {} listening connection ({}); waiters poll every {} ms until it is back",
                        channel,
                        e.getMessage(),
                        pollInterval.toMillis());
                sleep(delay);
                delay = delay.multipliedBy(2).compareTo(MAX_RECONNECT_DELAY) > 0
                        ? MAX_RECONNECT_DELAY
                        : delay.multipliedBy(2);
            } finally {
                live = false;
                connection = null;
            }
        }
    }

    /** Wakes the waiters of each key the payload carries (keys are separated by spaces). */
    private void wake(String payload) {
        for (String key : payload.split(" ")) {
            Set<Subscription> subscribed = waiters.get(key);
            if (subscribed != null) {
                subscribed.forEach(Subscription::signal);
            }
        }
    }

    private void wakeAll() {
        waiters.values().forEach(set -> set.forEach(Subscription::signal));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops listening and wakes every waiter; harmless to repeat. */
    @Override
    public void close() {
        closed = true;
        wakeAll();
        if (listener != null) {
            try {
                listener.join(Duration.ofMillis(RECEIVE_TIMEOUT_MS * 4L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Connection open = connection;
            if (listener.isAlive() && open != null) {
                try {
                    open.close();
                } catch (SQLException ignored) {
                    // closing a connection that is already failing changes nothing
                }
            }
        }
    }

    /** One waiter's interest in one key. Signals that arrive while nobody waits are kept (as one). */
    public final class Subscription implements AutoCloseable {
        private final String key;
        private final Semaphore signals = new Semaphore(0);
        private final Runnable onSignal;

        private Subscription(String key, Runnable onSignal) {
            this.key = key;
            this.onSignal = onSignal;
        }

        private void signal() {
            if (signals.availablePermits() == 0) {
                signals.release();
            }
            if (onSignal != null) {
                onSignal.run();
            }
        }

        /** Wakes this waiter as a notification would (its owner is being told to stop waiting). */
        public void wake() {
            signal();
        }

        /**
         * Waits until something for this key may have changed: a notification arrived (or arrived
         * since the last wait), or, while nothing listens, {@code pollInterval} passed.
         *
         * @return true when the caller should read again; false when {@code timeout} passed quietly
         */
        public boolean await(Duration timeout) throws InterruptedException {
            if (closed) {
                Thread.sleep(Math.min(timeout.toMillis(), pollInterval.toMillis()));
                return true;
            }
            boolean polling = !live;
            Duration wait = polling && pollInterval.compareTo(timeout) < 0 ? pollInterval : timeout;
            boolean signalled = signals.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
            signals.drainPermits();
            return signalled || polling;
        }

        @Override
        public void close() {
            waiters.computeIfPresent(key, (k, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }
    }
}
