package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.support.Cli;
import dev.eryao.support.TestApi;
import dev.eryao.support.TestApi.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class OpsRoutesTest {
    private final TestApi api = TestApi.get();

    @Test
    void healthAndReadinessReportTheProcessAndTheSchema() {
        assertThat(api.get("/healthz", null).json().get("status").asText()).isEqualTo("ok");
        JsonNode ready = api.get("/readyz", null).json();
        assertThat(ready.get("ready").asBoolean()).isTrue();
        assertThat(ready.get("schema_at_head").asBoolean()).isTrue();
        assertThat(ready.get("worker_threads_down").asInt()).isZero();
    }

    @Test
    void everyAnswerCarriesItsOwnRequestIdAndAProblemQuotesIt() {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            String id = api.get("/healthz", null)
                    .raw()
                    .headers()
                    .firstValue(RequestIds.HEADER)
                    .orElseThrow();
            assertThat(UUID.fromString(id).version()).as(id).isEqualTo(4);
            ids.add(id);
        }
        assertThat(ids).hasSize(20);

        Response problem = api.get("/v1/agent/sessions/" + UUID.randomUUID(), api.userToken(UUID.randomUUID()));
        assertThat(problem.status()).isEqualTo(404);
        assertThat(problem.json().get("request_id").asText())
                .isEqualTo(problem.raw().headers().firstValue(RequestIds.HEADER).orElseThrow());
    }

    @Test
    void metricsAreServedInPrometheusFormatWithRouteTemplates() {
        api.get("/v1/agent/sessions/" + UUID.randomUUID(), api.userToken(UUID.randomUUID()));
        Response metrics = api.get("/metrics", null);

        assertThat(metrics.contentType()).startsWith("text/plain");
        assertThat(metrics.body())
                .contains("http_server_requests_seconds_count")
                .contains("route=\"/v1/agent/sessions/{id}\"")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void eachRequestIsCountedOnceInItsSeries() {
        String token = api.userToken(UUID.randomUUID());
        double before = notFoundSessionReads();

        api.get("/v1/agent/sessions/" + UUID.randomUUID(), token);
        api.get("/v1/agent/sessions/" + UUID.randomUUID(), token);

        assertThat(notFoundSessionReads() - before).isEqualTo(2);
    }

    private double notFoundSessionReads() {
        Matcher count = Pattern.compile("http_server_requests_seconds_count\\{method=\"GET\","
                        + "route=\"/v1/agent/sessions/\\{id}\",status=\"404\"} (\\S+)")
                .matcher(api.get("/metrics", null).body());
        return count.find() ? Double.parseDouble(count.group(1)) : 0;
    }

    @Test
    void theOpenApiDocumentListsEveryRouteServed() {
        JsonNode paths = api.get("/openapi.json", null).json().get("paths");
        List<String> documented = new ArrayList<>();
        paths.properties()
                .forEach(path -> path.getValue()
                        .properties()
                        .forEach(op -> documented.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey())));

        assertThat(documented).containsExactlyInAnyOrderElementsOf(api.server().routes());
        assertThat(documented)
                .contains(
                        "POST /v1/agent/sessions/{id}/runs",
                        "GET /v1/points/ledger",
                        "DELETE /v1/admin/llm/models/{id}",
                        "GET /readyz");
        assertThat(paths.at("/~1v1~1agent~1sessions/post/requestBody/content/application~1json/schema/$ref")
                        .asText())
                .isEqualTo("#/components/schemas/CreateSession");
    }

    @Test
    void eryaoOpenapiPrintsTheDocumentServedWithNoDatabase() throws Exception {
        Response served = api.get("/openapi.json", null);
        Cli.Result printed = Cli.eryao(Map.of(), "openapi");

        assertThat(printed.status()).as(printed.err()).isZero();
        assertThat(served.contentType()).startsWith("application/json");
        assertThat(new ObjectMapper().readTree(printed.out())).isEqualTo(served.json());
    }

    @Test
    void theOpenApiDocumentListsEveryStatusARouteMayAnswer() {
        JsonNode paths = api.get("/openapi.json", null).json().get("paths");
        List<String> cancel = new ArrayList<>();
        paths.at("/~1v1~1agent~1runs~1{task_id}~1cancel/post/responses")
                .properties()
                .forEach(response -> cancel.add(response.getKey()));
        List<String> ready = new ArrayList<>();
        paths.at("/~1readyz/get/responses").properties().forEach(response -> ready.add(response.getKey()));

        assertThat(cancel).startsWith("200", "202").contains("400", "401", "403", "404", "409", "500", "503");
        assertThat(cancel).doesNotContain("default");
        assertThat(ready).containsExactly("200", "503", "500");
        assertThat(paths.at("/~1v1~1agent~1runs~1{task_id}~1cancel/post/responses/409/content")
                        .has("application/problem+json"))
                .isTrue();
        assertThat(paths.at("/~1readyz/get/responses/503/headers/Cache-Control/schema/const")
                        .asText())
                .isEqualTo("no-store");
    }

    @Test
    void theOpenApiDocumentListsARunsStatusesAndAMessagesRolesAsSent() {
        JsonNode schemas =
                api.get("/openapi.json", null).json().path("components").path("schemas");

        assertThat(schemas.at("/RunView/properties/status/$ref").asText()).isEqualTo("#/components/schemas/RunStatus");
        assertThat(schemas.at("/RunAccepted/properties/status/$ref").asText())
                .isEqualTo("#/components/schemas/RunStatus");
        assertThat(schemas.at("/RunStatus/type").asText()).isEqualTo("string");
        assertThat(schemas.at("/RunStatus/enum").toString())
                .isEqualTo("[\"queued\",\"running\",\"requires_approval\",\"requires_action\",\"succeeded\",\"failed\","
                        + "\"cancelled\",\"expired\"]");
        assertThat(schemas.at("/MessageView/properties/role/$ref").asText())
                .isEqualTo("#/components/schemas/MessageRole");
        assertThat(schemas.at("/MessageRole/enum").toString())
                .isEqualTo("[\"system\",\"user\",\"assistant\",\"tool\"]");
    }

    @Test
    void swaggerUiIsServedFromTheJarWithNoInternet() {
        Response page = api.get("/docs", null);
        assertThat(page.body()).contains("/openapi.json").contains("/webjars/swagger-ui/");

        String bundle = page.body().replaceAll("(?s).*src=\"([^\"]+swagger-ui-bundle\\.js)\".*", "$1");
        assertThat(api.get(bundle, null).status()).isEqualTo(200);
    }
}
