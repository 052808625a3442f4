package dev.eryao.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The check every answer of the suite passes ({@link ApiContract}) finds what breaks the document:
 * a field null where it may not be, a missing or extra field, a status or media type the route does
 * not declare, an answer of no operation that is not a problem. Answers made here, checked against
 * the document this build serves.
 */
class ApiContractTest {
    private static final ApiContract CONTRACT = ApiContract.ofThisBuild();
    private static final String ID = UUID.randomUUID().toString();
    private static final String NOW = "2026-01-02T03:04:05.678Z";

    private static ApiContract.Exchange answer(String method, String path, int status, String type, String body) {
        return new ApiContract.Exchange(
                method, path, status, Map.of("Content-Type", List.of(type), "X-Request-Id", List.of("r1")), body);
    }

    private static String session(String llmId) {
        return "{\"id\":\"" + ID + "\",\"owner_id\":\"" + ID + "\",\"title\":\"t\",\"llm_id\":" + llmId
                + ",\"active_run_id\":null,\"created_at\":\"" + NOW + "\",\"updated_at\":\"" + NOW + "\"}";
    }

    @Test
    void anAnswerAsTheDocumentSaysPasses() {
        assertThat(CONTRACT.violations(
                        answer("GET", "/v1/agent/sessions/" + ID, 200, "application/json", session("null"))))
                .isEmpty();
        assertThat(CONTRACT.violations(
                        answer("GET", "/v1/agent/sessions/" + ID, 200, "application/json", session("\"" + ID + "\""))))
                .isEmpty();
    }

    @Test
    void aNullWhereTheFieldMayNotBeNullNamesTheRouteTheStatusAndTheField() {
        String body = session("null").replace("\"title\":\"t\"", "\"title\":null");
        assertThatThrownBy(
                        () -> CONTRACT.check(answer("GET", "/v1/agent/sessions/" + ID, 200, "application/json", body)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("GET /v1/agent/sessions/{id} 200")
                .hasMessageContaining("/title");
    }

    @Test
    void aMissingFieldAnExtraFieldAndABadFormatAreEachAViolation() {
        String path = "/v1/agent/sessions/" + ID;
        assertThat(CONTRACT.violations(answer(
                        "GET", path, 200, "application/json", session("null").replace(",\"title\":\"t\"", ""))))
                .anyMatch(v -> v.contains("title"));
        assertThat(CONTRACT.violations(answer(
                        "GET", path, 200, "application/json", session("null").replace("{", "{\"extra\":1,"))))
                .anyMatch(v -> v.contains("extra"));
        assertThat(CONTRACT.violations(answer("GET", path, 200, "application/json", session("\"not-a-uuid\""))))
                .anyMatch(v -> v.contains("llm_id"));
    }

    @Test
    void aStatusTheRouteDoesNotDeclareIsAViolation() {
        assertThat(CONTRACT.violations(
                        answer("GET", "/v1/agent/sessions/" + ID, 418, "application/problem+json", "{\"status\":418}")))
                .singleElement()
                .asString()
                .contains("does not declare status 418");
    }

    @Test
    void aProblemMustBeAProblemAndInItsMediaType() {
        String problem = "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"session\","
                + "\"instance\":\"/x\",\"request_id\":\"r1\"}";
        assertThat(CONTRACT.violations(
                        answer("GET", "/v1/agent/sessions/" + ID, 404, "application/problem+json", problem)))
                .isEmpty();
        assertThat(CONTRACT.violations(answer("GET", "/v1/agent/sessions/" + ID, 404, "application/json", problem)))
                .singleElement()
                .asString()
                .contains("application/json");
        assertThat(CONTRACT.violations(
                        answer("GET", "/v1/agent/sessions/" + ID, 404, "application/problem+json", "{\"status\":404}")))
                .isNotEmpty();
    }

    @Test
    void whatNoOperationServesIsAProblemOrAStaticFile() {
        String problem = "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"no route\"}";
        assertThat(CONTRACT.violations(answer("GET", "/nowhere", 404, "application/problem+json", problem)))
                .isEmpty();
        assertThat(CONTRACT.violations(answer("GET", "/nowhere", 200, "application/json", "{}")))
                .singleElement()
                .asString()
                .contains("does not describe");
        assertThat(CONTRACT.violations(answer("GET", "/webjars/x.css", 200, "text/css", "body{}")))
                .isEmpty();
        assertThat(CONTRACT.violations(answer("PUT", "/healthz", 405, "text/plain", "no")))
                .isNotEmpty();
    }

    @Test
    void aStreamIsCheckedForItsStatusAndMediaTypeOnly() {
        String path = "/v1/agent/runs/" + ID + "/events";
        assertThat(CONTRACT.violations(answer("GET", path, 200, "text/event-stream;charset=utf-8", null)))
                .isEmpty();
        assertThat(CONTRACT.violations(answer("GET", path, 200, "application/json", null)))
                .isNotEmpty();
        assertThat(CONTRACT.violations(answer("GET", path, 406, "application/problem+json", null)))
                .isEmpty();
    }

    @Test
    void aDeclaredHeaderValueIsChecked() {
        String report = "{\"ready\":true,\"database\":true,\"schema_at_head\":true,\"revision\":\"1\","
                + "\"worker_threads_down\":0}";
        assertThat(CONTRACT.violations(new ApiContract.Exchange(
                        "GET",
                        "/readyz",
                        200,
                        Map.of("Content-Type", List.of("application/json"), "Cache-Control", List.of("max-age=60")),
                        report)))
                .singleElement()
                .asString()
                .contains("Cache-Control");
    }
}
