package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.support.TestApi;
import dev.eryao.support.TestApi.Response;
import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class RunRoutesTest {
    private final TestApi api = TestApi.get();
    private final UUID owner = UUID.randomUUID();
    private final String token = api.userToken(owner);

    private void grant(long amount) {
        Response granted = api.grant(
                api.serviceToken(UUID.randomUUID()),
                "{\"owner_id\":\"" + owner + "\",\"amount\":" + amount + ",\"reason\":\"test\"}");
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
    }

    private String session() {
        return api.call(
                        "POST",
                        "/v1/agent/sessions",
                        token,
                        "{\"title\":\"runs\",\"llm_id\":\"" + TestApi.freeModel() + "\"}")
                .json()
                .get("id")
                .asText();
    }

    private Response run(String session, String input, String key) {
        return key == null
                ? api.call("POST", "/v1/agent/sessions/" + session + "/runs", token, "{\"input\":\"" + input + "\"}")
                : api.call(
                        "POST",
                        "/v1/agent/sessions/" + session + "/runs",
                        token,
                        "{\"input\":\"" + input + "\"}",
                        "Idempotency-Key",
                        key);
    }

    private static long count(String sql) throws SQLException {
        try (Connection connection = TestDatabase.get().connection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** As the worker's debits would, without running the worker. */
    private void spendAllPoints() throws SQLException {
        try (Connection connection = TestDatabase.get().connection();
                Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE points_balance SET balance = 0 WHERE owner_id = '" + owner + "'");
        }
    }

    @Test
    void aRunIsAcceptedAsAQueuedTaskWithItsUserMessageAndCanBeRead() throws SQLException {
        grant(10);
        String session = session();

        Response accepted = run(session, "plan my trip", null);

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        JsonNode task = accepted.json();
        assertThat(task.get("session_id").asText()).isEqualTo(session);
        assertThat(task.get("status").asText()).isEqualTo("queued");
        JsonNode messages = api.get("/v1/agent/sessions/" + session + "/messages", token)
                .json()
                .get("items");
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).get("role").asText()).isEqualTo("user");
        assertThat(messages.get(0).get("content").asText()).isEqualTo("plan my trip");

        JsonNode read =
                api.get("/v1/agent/runs/" + task.get("task_id").asText(), token).json();
        assertThat(read.get("status").asText()).isEqualTo("queued");
        assertThat(read.get("output").isNull()).isTrue();
        assertThat(count("SELECT count(*) FROM agent_run WHERE session_id = '" + session + "'"))
                .isEqualTo(1);
    }

    @Test
    void anAnswerLargerThanTheResponseCopyBufferArrivesWhole() {
        grant(10);
        String session = session();
        String input = "0123456789abcdef".repeat(ApiServer.RESPONSE_COPY_BUFFER_BYTES / 16 * 5 + 1);
        assertThat(run(session, input, null).status()).isEqualTo(202);

        Response page = api.get("/v1/agent/sessions/" + session + "/messages", token);

        assertThat(page.body().length()).isGreaterThan(5 * ApiServer.RESPONSE_COPY_BUFFER_BYTES);
        assertThat(page.json().get("items").get(0).get("content").asText()).isEqualTo(input);
    }

    @Test
    void aRunOnAPaidModelHoldsItsMostPossiblePriceAndTheBalanceRouteShowsIt() throws SQLException {
        String admin = api.serviceToken(UUID.randomUUID());
        String unique = UUID.randomUUID().toString();
        String factory = api.call("POST", "/v1/admin/llm/factories", admin, "{\"name\":\"holds-" + unique + "\"}")
                .json()
                .get("id")
                .asText();
        String model = api.call("POST", "/v1/admin/llm/models", admin, """
                {"factory_id":"%s","model_code":"paid-%s","display_name":"Paid",
                 "request_url":"http://127.0.0.1:9/v1/chat/completions",
                 "input_price_per_1k":1,"output_price_per_1k":1,"context_tokens":1000}
                """.formatted(factory, unique))
                .json()
                .get("id")
                .asText();
        String session = api.call(
                        "POST", "/v1/agent/sessions", token, "{\"title\":\"paid\",\"llm_id\":\"" + model + "\"}")
                .json()
                .get("id")
                .asText();
        grant(1);

        Response accepted = run(session, "hi", null);
        JsonNode points = api.get("/v1/points/balance", token).json();
        Response refused = run(session, "hi", null);

        // context 1,000 keeps half for the answer, so the output cap is 500 tokens; "hi" is at most
        // 2 + 16 framing tokens: (18 + 500) x 1 / 1,000 points, rounded up, is 1
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        assertThat(points.get("balance").asLong()).isEqualTo(1);
        assertThat(points.get("held").asLong()).isEqualTo(1);
        assertThat(points.get("available").asLong()).isEqualTo(0);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(402);
        assertThat(refused.body()).contains("1", "0 are available");
        assertThat(count("SELECT count(*) FROM agent_run WHERE session_id = '" + session + "'"))
                .isEqualTo(1);
    }

    @Test
    void anOwnerWithNoPointsGets402AndNothingIsWritten() throws SQLException {
        String session = session();

        Response refused = run(session, "hello", null);

        assertThat(refused.status()).isEqualTo(402);
        assertThat(refused.isProblem()).isTrue();
        assertThat(count("SELECT count(*) FROM agent_run WHERE owner_id = '" + owner + "'"))
                .isZero();
        assertThat(count("SELECT count(*) FROM agent_chat_message WHERE owner_id = '" + owner + "'"))
                .isZero();
    }

    @Test
    void theSameIdempotencyKeyReturnsTheSameTaskAndWritesOnce() throws SQLException {
        grant(10);
        String session = session();

        String first = run(session, "once", "key-1").json().get("task_id").asText();
        Response again = run(session, "once", "key-1");

        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().get("task_id").asText()).isEqualTo(first);
        assertThat(count("SELECT count(*) FROM agent_chat_message WHERE session_id = '" + session + "'"))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM agent_run WHERE id = '" + first + "' AND input = 'once'"))
                .as("the replay's run and message were rolled back; the first run is untouched")
                .isEqualTo(1);
    }

    @Test
    void anIdempotencyKeyReplayedWithADifferentBodyIs422AndWritesNothing() throws SQLException {
        grant(10);
        String session = session();
        String first = run(session, "once", "key-body").json().get("task_id").asText();

        Response changed = run(session, "changed text", "key-body");

        assertThat(changed.status()).as(changed.toString()).isEqualTo(422);
        assertThat(changed.isProblem()).isTrue();
        assertThat(changed.body()).contains("Idempotency-Key", "different input");
        assertThat(count("SELECT count(*) FROM agent_chat_message WHERE session_id = '" + session + "'"))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM agent_run WHERE session_id = '" + session + "'"))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM agent_run WHERE id = '" + first + "' AND input = 'once'"))
                .isEqualTo(1);
    }

    @Test
    void concurrentRequestsWithOneKeyAllGetTheWinnersTask() throws Exception {
        grant(10);
        String session = session();
        List<Future<Response>> calls = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                calls.add(pool.submit(() -> run(session, "race", "race-key")));
            }
        }
        List<String> tasks = new ArrayList<>();
        for (Future<Response> call : calls) {
            Response response = call.get();
            assertThat(response.status()).as(response.toString()).isEqualTo(202);
            tasks.add(response.json().get("task_id").asText());
        }

        assertThat(tasks).containsOnly(tasks.getFirst());
        assertThat(count("SELECT count(*) FROM agent_run WHERE session_id = '" + session + "'"))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM agent_chat_message WHERE session_id = '" + session + "'"))
                .isEqualTo(1);
    }

    @Test
    void aRequestThatLosesTheRaceOnTheUniqueIndexAnswersWithTheWinnersTask() throws Exception {
        grant(10);
        String session = session();
        UUID winner = UUID.randomUUID();
        try (Connection competitor = TestDatabase.get().connection()) {
            competitor.setAutoCommit(false);
            try (Statement insert = competitor.createStatement()) {
                insert.executeUpdate(
                        "INSERT INTO agent_run (id, session_id, owner_id, input, idempotency_key) VALUES ('" + winner
                                + "', '" + session + "', '" + owner + "', 'winner', 'contested')");
            }
            try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
                // The request cannot see the uncommitted row, inserts its own, and waits on the index.
                Future<Response> loser = pool.submit(() -> run(session, "winner", "contested"));
                for (int i = 0;
                        i < 600
                                && count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                                + " AND query LIKE 'insert into agent_run%'")
                                        == 0;
                        i++) {
                    assertThat(loser.isDone())
                            .as("the request must wait for the competitor")
                            .isFalse();
                    Thread.sleep(50);
                }
                competitor.commit();

                Response response = loser.get();
                assertThat(response.status()).as(response.toString()).isEqualTo(202);
                assertThat(response.json().get("task_id").asText()).isEqualTo(winner.toString());
            }
        }
        assertThat(count("SELECT count(*) FROM agent_run WHERE session_id = '" + session + "'"))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM agent_chat_message WHERE session_id = '" + session + "'"))
                .as("the loser's message was rolled back with its run")
                .isZero();
    }

    @Test
    void aRetryGetsItsTaskEvenAfterThePointsRanOut() throws SQLException {
        grant(10);
        String session = session();
        String first = run(session, "before", "spent-key").json().get("task_id").asText();
        spendAllPoints();

        Response retry = run(session, "before", "spent-key");
        Response fresh = run(session, "after", "new-key");

        assertThat(retry.status()).as(retry.toString()).isEqualTo(202);
        assertThat(retry.json().get("task_id").asText()).isEqualTo(first);
        assertThat(fresh.status()).as("a new run is refused").isEqualTo(402);
        assertThat(count("SELECT count(*) FROM agent_run WHERE session_id = '" + session + "'"))
                .isEqualTo(1);
    }

    @Test
    void aRetryGetsItsTaskEvenAfterItsModelLeftTheCatalog() throws SQLException {
        grant(10);
        String admin = api.serviceToken(UUID.randomUUID());
        String unique = UUID.randomUUID().toString();
        String factory = api.call("POST", "/v1/admin/llm/factories", admin, "{\"name\":\"runs-" + unique + "\"}")
                .json()
                .get("id")
                .asText();
        String model = api.call("POST", "/v1/admin/llm/models", admin, """
                {"factory_id":"%s","model_code":"leaving-%s","display_name":"Leaving",
                 "request_url":"http://127.0.0.1:9/v1/chat/completions",
                 "input_price_per_1k":0,"output_price_per_1k":0,"context_tokens":1000}
                """.formatted(factory, unique))
                .json()
                .get("id")
                .asText();
        String session = session();
        String body = "{\"input\":\"hi\",\"llm_id\":\"" + model + "\"}";
        String path = "/v1/agent/sessions/" + session + "/runs";
        String first = api.call("POST", path, token, body, "Idempotency-Key", "model-key")
                .json()
                .get("task_id")
                .asText();
        assertThat(api.call("PATCH", "/v1/admin/llm/models/" + model, admin, "{\"is_active\":false}")
                        .status())
                .isEqualTo(200);

        Response retry = api.call("POST", path, token, body, "Idempotency-Key", "model-key");
        Response fresh = api.call("POST", path, token, body, "Idempotency-Key", "other-key");

        assertThat(retry.status()).as(retry.toString()).isEqualTo(202);
        assertThat(retry.json().get("task_id").asText()).isEqualTo(first);
        assertThat(fresh.status()).as(fresh.toString()).isEqualTo(422);
        assertThat(fresh.body()).contains("llm_id");
        assertThat(count("SELECT count(*) FROM agent_run WHERE session_id = '" + session + "'"))
                .isEqualTo(1);
    }

    @Test
    void aKeyUsedForAnotherSessionIsAConflict() {
        grant(10);
        run(session(), "first", "shared-key");

        Response conflict = run(session(), "second", "shared-key");

        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.isProblem()).isTrue();
    }

    @Test
    void anUnknownTaskIsA404() {
        assertThat(api.get("/v1/agent/runs/" + UUID.randomUUID(), token).status())
                .isEqualTo(404);
    }
}
