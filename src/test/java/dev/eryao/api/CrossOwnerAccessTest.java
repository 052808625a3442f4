package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.support.TestApi;
import dev.eryao.support.TestApi.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every owner-scoped route, called by another owner: all 404, looking exactly like a missing row. */
class CrossOwnerAccessTest {
    private final TestApi api = TestApi.get();
    private final UUID alice = UUID.randomUUID();
    private final String aliceToken = api.userToken(alice);
    private final String bobToken = api.userToken(UUID.randomUUID());

    @Test
    void anotherOwnersSessionAndRunAreNotFoundForEveryOperationAndStayUntouched() {
        api.grant(
                api.serviceToken(UUID.randomUUID()),
                "{\"owner_id\":\"" + alice + "\",\"amount\":10,\"reason\":\"test\"}");
        String session = api.call(
                        "POST",
                        "/v1/agent/sessions",
                        aliceToken,
                        "{\"title\":\"private\",\"llm_id\":\"" + TestApi.freeModel() + "\"}")
                .json()
                .get("id")
                .asText();
        String task = api.call("POST", "/v1/agent/sessions/" + session + "/runs", aliceToken, "{\"input\":\"hi\"}")
                .json()
                .get("task_id")
                .asText();

        Map<String, Response> asBob = new LinkedHashMap<>();
        asBob.put("read", api.get("/v1/agent/sessions/" + session, bobToken));
        asBob.put("update", api.call("PATCH", "/v1/agent/sessions/" + session, bobToken, "{\"title\":\"bob's\"}"));
        asBob.put("delete", api.call("DELETE", "/v1/agent/sessions/" + session, bobToken, null));
        asBob.put("messages", api.get("/v1/agent/sessions/" + session + "/messages", bobToken));
        asBob.put("run", api.call("POST", "/v1/agent/sessions/" + session + "/runs", bobToken, "{\"input\":\"x\"}"));
        asBob.put("task", api.get("/v1/agent/runs/" + task, bobToken));

        asBob.forEach((operation, response) -> {
            assertThat(response.status()).as(operation + ": " + response).isEqualTo(404);
            assertThat(response.isProblem()).as(operation).isTrue();
        });
        assertThat(api.get("/v1/agent/sessions", bobToken).json().get("items")).isEmpty();

        Response missing = api.get("/v1/agent/sessions/" + UUID.randomUUID(), bobToken);
        assertThat(asBob.get("read").json().get("detail"))
                .isEqualTo(missing.json().get("detail"));
        assertThat(asBob.get("read").json().get("title"))
                .isEqualTo(missing.json().get("title"));

        assertThat(api.get("/v1/agent/sessions/" + session, aliceToken)
                        .json()
                        .get("title")
                        .asText())
                .isEqualTo("private");
        assertThat(api.get("/v1/agent/sessions/" + session + "/messages", aliceToken)
                        .json()
                        .get("items"))
                .hasSize(1);
    }
}
