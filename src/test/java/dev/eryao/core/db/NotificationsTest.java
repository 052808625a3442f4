package dev.eryao.core.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** One LISTENing connection wakes exactly the waiters of the key notified, survives losing its connection, and polls without one. */
class NotificationsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final String channel = "t_" + UUID.randomUUID().toString().replace("-", "");

    @Test
    void aNotificationWakesTheWaitersOfItsKeyOnly() throws Exception {
        try (Notifications notifications = listening(Duration.ofMinutes(5));
                Notifications.Subscription mine = notifications.subscribe("mine");
                Notifications.Subscription other = notifications.subscribe("other")) {
            awaitLive(notifications);
            drain(mine);
            drain(other);

            notify("mine");

            assertThat(mine.await(WAIT)).isTrue();
            assertThat(other.await(Duration.ofMillis(300)))
                    .as("another key's waiter sleeps on")
                    .isFalse();
            assertThat(notifications.subscriptions()).isEqualTo(2);
        }
    }

    @Test
    void notificationsSentOneAfterAnotherAllArrive() throws Exception {
        // Each one's "more pending?" check finds the socket empty and is answered at once
        // (ListenSocketFactory): none may be left behind by it.
        int keys = 50;
        java.util.List<Notifications.Subscription> subscriptions = new java.util.ArrayList<>();
        try (Notifications notifications = listening(Duration.ofMinutes(5))) {
            for (int i = 0; i < keys; i++) {
                subscriptions.add(notifications.subscribe("key" + i));
            }
            awaitLive(notifications);
            for (Notifications.Subscription subscription : subscriptions) {
                drain(subscription);
            }

            for (int i = 0; i < keys; i++) {
                notify("key" + i);
            }

            for (int i = 0; i < keys; i++) {
                assertThat(subscriptions.get(i).await(WAIT))
                        .as("key%d woken", i)
                        .isTrue();
            }
        } finally {
            subscriptions.forEach(Notifications.Subscription::close);
        }
    }

    @Test
    void theListeningConnectionsSocketsComeFromListenSocketFactory() {
        var source = (org.postgresql.ds.PGSimpleDataSource)
                TestDatabase.get().database().listenDataSource().orElseThrow();
        assertThat(source.getSocketFactory()).isEqualTo(ListenSocketFactory.class.getName());
    }

    @Test
    void aNotificationSentWhileNobodyWaitsIsKeptForTheNextWait() throws Exception {
        try (Notifications notifications = listening(Duration.ofMinutes(5));
                Notifications.Subscription mine = notifications.subscribe("mine")) {
            awaitLive(notifications);
            drain(mine);

            notify("mine");
            Thread.sleep(200);

            assertThat(mine.await(WAIT)).isTrue();
        }
    }

    @Test
    void afterLosingItsConnectionItWakesEveryWaiterAndListensAgain() throws Exception {
        try (Notifications notifications = listening(Duration.ofMinutes(5));
                Notifications.Subscription mine = notifications.subscribe("mine")) {
            awaitLive(notifications);
            drain(mine);

            try (Connection connection = TestDatabase.get().connection();
                    PreparedStatement kill = connection.prepareStatement(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'eryao-listen'"
                                    + " AND query LIKE ?")) {
                kill.setString(1, "%" + channel + "%");
                kill.executeQuery().close();
            }

            assertThat(mine.await(WAIT))
                    .as("woken: notifications may have been missed")
                    .isTrue();
            awaitLive(notifications);
            drain(mine);
            notify("mine");
            assertThat(mine.await(WAIT)).isTrue();
        }
    }

    @Test
    void withNothingToListenOnWaitersPollAtTheInterval() throws Exception {
        try (Notifications notifications = new Notifications(channel, Optional.empty(), Duration.ofMillis(50));
                Notifications.Subscription mine = notifications.subscribe("mine")) {
            assertThat(notifications.live()).isFalse();
            assertThat(mine.await(WAIT))
                    .as("told to read again after the poll interval")
                    .isTrue();
        }
    }

    @Test
    void aChannelNameThatIsNotAPlainIdentifierIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new Notifications("x; DROP TABLE y", Optional.empty(), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private Notifications listening(Duration pollInterval) {
        return new Notifications(channel, TestDatabase.get().database().listenDataSource(), pollInterval);
    }

    private static void awaitLive(Notifications notifications) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!notifications.live()) {
            assertThat(System.nanoTime()).as("listening within %s", WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Takes the wake-up every waiter gets when the connection (re)opens. */
    private static void drain(Notifications.Subscription subscription) throws InterruptedException {
        subscription.await(Duration.ofMillis(50));
    }

    private void notify(String key) throws SQLException {
        try (Connection connection = TestDatabase.get().connection();
                PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
            notify.setString(1, channel);
            notify.setString(2, key);
            notify.executeQuery().close();
        }
    }
}
