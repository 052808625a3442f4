package dev.eryao.api;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts off slow senders (slowloris): a request's headers must all arrive within one bound and its
 * body within another, counted from the first byte of each. Jetty's idle timeout alone does not do
 * this: it restarts with every byte, so a client sending one byte every few seconds held a
 * connection (and, across many, the server) forever, and Jetty 12 has no header or body deadline.
 *
 * <p>Every open HTTP/1.1 connection is looked at a few times per bound: its parser's state says
 * whether it is reading a request's headers or its body, and its request count whether that is
 * still the same request. Headers overdue: the connection is closed (there is no request yet to
 * answer). Body overdue: the request is woken as Jetty's idle timeout would wake it, so the pending
 * read fails with a {@link TimeoutException} and the API answers 408 ({@link JsonBodies}); if the
 * body is still unfinished a bound later, the connection is closed. A request being handled after
 * its body has arrived (a slow database, an event stream) is never cut off here.
 *
 * <p>{@link HttpConnection} is Jetty's HTTP/1.1 connection; only its public parser state and
 * request count are read, and {@link Connection#onIdleExpired} is what Jetty's own idle timeout calls.
 */
final class RequestDeadlines extends AbstractLifeCycle implements Connection.Listener {
    private static final Logger log = LoggerFactory.getLogger(RequestDeadlines.class);

    private enum Phase {
        IDLE,
        HEADERS,
        BODY
    }

    private final long headerNanos;
    private final long bodyNanos;
    private final long tickMillis;
    private final Map<HttpConnection, Watch> open = new ConcurrentHashMap<>();
    private ScheduledExecutorService sweeper;

    RequestDeadlines(Duration headers, Duration body) {
        this.headerNanos = headers.toNanos();
        this.bodyNanos = body.toNanos();
        // A few looks per bound, so a deadline is enforced at most a quarter late.
        this.tickMillis = Math.clamp(Math.min(headers.toMillis(), body.toMillis()) / 4, 50, 1_000);
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            open.put(http, new Watch());
        }
    }

    @Override
    public void onClosed(Connection connection) {
        open.remove(connection);
    }

    @Override
    protected void doStart() {
        sweeper = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("request-deadlines").factory());
        sweeper.scheduleWithFixedDelay(this::sweep, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        sweeper.shutdownNow();
        open.clear();
    }

    private void sweep() {
        long now = System.nanoTime();
        open.forEach((connection, watch) -> {
            try {
                watch.check(connection, now);
            } catch (RuntimeException e) {
                log.warn(
                        "checking a connection's request deadline failed: {}",
                        e.getClass().getName());
            }
        });
    }

    private static Phase phaseOf(HttpParser.State state) {
        if (state == HttpParser.State.START || state.ordinal() >= HttpParser.State.END.ordinal()) {
            return Phase.IDLE;
        }
        return state.ordinal() < HttpParser.State.CONTENT.ordinal() ? Phase.HEADERS : Phase.BODY;
    }

    /** One connection's current request as last seen; touched only by the sweeper thread. */
    private final class Watch {
        private Phase phase = Phase.IDLE;
        private long requests = -1;
        private long since;
        private boolean woken;

        void check(HttpConnection connection, long now) {
            Phase current = phaseOf(connection.getParser().getState());
            long count = connection.getMessagesIn();
            if (current != phase || count != requests) {
                phase = current;
                requests = count;
                since = now;
                woken = false;
                return;
            }
            long waited = now - since;
            if (phase == Phase.HEADERS && waited > headerNanos) {
                connection.getEndPoint().close(new TimeoutException("request headers not received in time"));
            } else if (phase == Phase.BODY && waited > 2 * bodyNanos) {
                connection.getEndPoint().close(new TimeoutException("request body not received in time"));
            } else if (phase == Phase.BODY && waited > bodyNanos && !woken) {
                woken = true;
                if (connection.onIdleExpired(new TimeoutException("request body not received in time"))) {
                    connection.getEndPoint().close(new TimeoutException("request body not received in time"));
                }
            }
        }
    }
}
