package dev.eryao.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.config.Settings;
import dev.eryao.core.db.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kill -9 scenario's two halves. {@code EnqueueStream send <port> <seconds> <owners> <file>}
 * streams enqueues from several clients, through the server being killed and restarted, and
 * writes the task id of every 202 it got to {@code file}. {@code EnqueueStream verify <file>}
 * checks that each of those runs is in the database.
 *
 * <p>Completion is not checked here ({@code serve} runs no worker in these scripts): exactly-once
 * performance and charging after a kill is {@code worker.KillNineTest} in the suite.
 */
public final class EnqueueStream {
    private static final int CLIENTS = 8;

    private EnqueueStream() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("send")) {
            send(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Path.of(args[4]));
        } else {
            verify(Path.of(args[1]));
        }
    }

    private static void send(int port, int seconds, int owners, Path file) throws Exception {
        FaultClient client = new FaultClient(port, owners);
        ObjectMapper json = new ObjectMapper();
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        AtomicLong failed = new AtomicLong();
        AtomicLong otherStatus = new AtomicLong();
        long end = System.currentTimeMillis() + seconds * 1000L;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.currentTimeMillis() < end) {
                    FaultClient.Answer answer = client.enqueue(client.anyOwner(), FaultClient.newKey().toString());
                    if (answer.status() == 202) {
                        try {
                            accepted.add(json.readTree(answer.body()).path("task_id").asText());
                        } catch (Exception e) {
                            otherStatus.incrementAndGet();
                        }
                    } else if (answer.status() == 0) {
                        failed.incrementAndGet();   // the server is down: expected while it restarts
                        sleep(50);
                    } else {
                        otherStatus.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        Files.write(file, accepted);
        System.out.printf("accepted=%d no_answer=%d other_status=%d%n", accepted.size(), failed.get(), otherStatus.get());
    }

    private static void verify(Path file) throws Exception {
        List<String> accepted = Files.readAllLines(file);
        try (Database database = Database.open(Settings.load());
             Connection connection = database.dataSource().getConnection();
             PreparedStatement count = connection.prepareStatement(
                     "SELECT count(*) FROM agent_run WHERE id = ANY (?) AND status = 'queued'")) {
            count.setArray(1, connection.createArrayOf("uuid", accepted.stream().map(UUID::fromString).toArray()));
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                long found = rows.getLong(1);
                connection.commit();
                System.out.printf("accepted_before_and_after_kill=%d found_after_restart=%d missing=%d%n",
                        accepted.size(), found, accepted.size() - found);
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
