package dev.eryao.worker;

import dev.eryao.support.ServeProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Runs asked for of {@code serve} processes by many clients at once, each request going to the
 * next process in turn (as a load balancer would send them), all with one owner's token.
 */
final class RunsFromManyClients {
    private final HttpClient http;
    private final List<ServeProcess> apis;
    private final String token;
    private final Duration timeout;

    RunsFromManyClients(HttpClient http, List<ServeProcess> apis, String token, Duration timeout) {
        this.http = http;
        this.apis = apis;
        this.token = token;
        this.timeout = timeout;
    }

    /**
     * Posts {@code runs} runs from {@code clients} threads, run {@code i} to session {@code
     * session.apply(i)} with body {@code body.apply(i)}; how many were answered with each status.
     */
    Map<Integer, Integer> post(int runs, int clients, IntFunction<UUID> session, IntFunction<String> body)
            throws Exception {
        Map<Integer, Integer> statuses = new HashMap<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(clients)) {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                ServeProcess api = apis.get(i % apis.size());
                URI uri = URI.create(
                        "http://127.0.0.1:" + api.port() + "/v1/agent/sessions/" + session.apply(i) + "/runs");
                String json = body.apply(i);
                answers.add(threads.submit(() -> http.send(
                                HttpRequest.newBuilder(uri)
                                        .timeout(timeout)
                                        .header("Authorization", "Bearer " + token)
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(json))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode()));
            }
            for (Future<Integer> answer : answers) {
                statuses.merge(answer.get(), 1, Integer::sum);
            }
        }
        return statuses;
    }
}
