package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.provider.ToolCall;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.CallsTools;
import dev.eryao.support.ServeProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An approval outlives the process that asked for it: a run parks in one {@code serve} process,
 * that process stops, and the approval given to another, started afterwards, is performed by that
 * one's worker — nothing of a parked run lives anywhere but in the database.
 */
class ParkedAcrossProcessesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final RunFixture fixture = new RunFixture();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<ServeProcess> processes = new ArrayList<>();
    private final ToolServers tools = new ToolServers(fixture);

    @AfterEach
    void close() {
        processes.forEach(ServeProcess::close);
        tools.close();
        http.close();
        fixture.close();
    }

    @Test
    void aRunParkedInOneServeProcessIsApprovedInAnotherStartedAfterItStoppedAndEndsThere() throws Exception {
        String server = tools.register("demo", tools.standIn().url(), List.of("*"), List.of("add"), 0L);
        RunFixture.Owner owner = fixture.owner(1_000);
        fixture.llm.then(
                new CallsTools(
                        "",
                        List.of(new ToolCall("call_1", server + "__add", "{\"a\": 2, \"b\": 3}")),
                        4,
                        100,
                        10,
                        null),
                new Answer("2 + 3 = 5", 200, 5));
        String token = RunFixture.processToken(owner);

        ServeProcess first = start();
        HttpResponse<String> accepted = post(
                first,
                "/v1/agent/sessions/" + owner.sessionId() + "/runs",
                token,
                "{\"input\": \"add 2 and 3\", \"tools\": [\"" + server + "\"]}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String taskId = JSON.readTree(accepted.body()).path("task_id").asText();
        awaitStatus(taskId, "requires_approval");
        assertThat(first.stop("TERM", Duration.ofSeconds(60)).exitStatus())
                .as("stopped as a signal ends it (128 + SIGTERM)")
                .isEqualTo(143);

        ServeProcess second = start();
        HttpResponse<String> approved = post(
                second,
                "/v1/agent/runs/" + taskId + "/approvals",
                token,
                "{\"approvals\": [{\"tool_call_id\": \"call_1\", \"approve\": true}]}");
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        fixture.awaitFinished(1, WAIT);

        HttpResponse<String> run = http.send(
                HttpRequest.newBuilder(URI.create(base(second) + "/v1/agent/runs/" + taskId))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode view = JSON.readTree(run.body());
        assertThat(view.path("status").asText()).isEqualTo("succeeded");
        assertThat(view.path("output").asText()).isEqualTo("2 + 3 = 5");
        assertThat(view.path("attempts").asInt())
                .as("parked once, resumed once")
                .isEqualTo(2);
        assertThat(fixture.strings(
                        "SELECT kind || ':' || coalesce(result, '') FROM agent_run_step WHERE run_id = ?::uuid"
                                + " ORDER BY step_index",
                        taskId))
                .containsExactly("model:", "tool:5", "model:");
        assertThat(fixture.count("SELECT count(*) FROM points_ledger WHERE reference_id = ?::uuid", taskId))
                .as("charged once")
                .isEqualTo(1);
    }

    private ServeProcess start() {
        ServeProcess process = ServeProcess.start("serve", fixture.processVariables(1, 50));
        processes.add(process);
        return process;
    }

    private void awaitStatus(String taskId, String status) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!fixture.strings("SELECT status FROM agent_run WHERE id = ?::uuid", taskId)
                .contains(status)) {
            assertThat(System.nanoTime())
                    .as("the run becomes %s within %s", status, WAIT)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private HttpResponse<String> post(ServeProcess process, String path, String token, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base(process) + path))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String base(ServeProcess process) {
        return "http://127.0.0.1:" + process.port();
    }
}
