package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.api.ApiServer;
import dev.eryao.core.auth.JwtVerifier;
import dev.eryao.core.config.AuthSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.core.config.ServerSettings;
import dev.eryao.core.config.SettingsException;
import dev.eryao.core.tracing.Tracing;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.OtlpReceiver;
import dev.eryao.support.OtlpReceiver.ReceivedSpan;
import dev.eryao.support.ServeProcess;
import dev.eryao.support.TestKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Traces as a collector receives them: the app (and a {@code serve} process) exporting OTLP to a
 * real loopback receiver. A request is a server span named by its route that continues the
 * caller's trace; a run's life — the enqueue request, the claim, its model call with the
 * {@code gen_ai.*} attributes, the charge — is one trace, also when another process accepted the
 * run; statements are child spans, never roots; with no endpoint set nothing is traced; and an
 * {@code OTEL_*} value the SDK cannot use stops start-up with a one-line error.
 */
class RunTracesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int SERVER = 2;
    private static final int CONSUMER = 5;

    private final OtlpReceiver receiver = new OtlpReceiver();
    private final RunFixture fixture = new RunFixture(Tracing.from(receiver.variables()));
    private final HttpClient http = HttpClient.newHttpClient();
    private final FixtureApi api = FixtureApi.start(fixture);

    @AfterEach
    void close() {
        http.close();
        fixture.close();
        receiver.close();
    }

    @Test
    void aRequestIsAServerSpanNamedByItsRouteInTheCallersTrace() throws Exception {
        RunFixture.Owner owner = fixture.owner(0);
        String caller = traceParent();

        HttpResponse<String> read =
                send(api.port(), "GET", "/v1/agent/sessions/" + owner.sessionId(), owner, null, caller);
        assertThat(read.statusCode()).isEqualTo(200);

        ReceivedSpan request = awaitSpan(span -> span.name().equals("GET /v1/agent/sessions/{id}"));
        assertThat(request.kind()).isEqualTo(SERVER);
        assertThat(request.traceId()).as("the caller's trace").isEqualTo(traceIdOf(caller));
        assertThat(request.parentSpanId()).as("the caller's span").isEqualTo(spanIdOf(caller));
        assertThat(request.attribute("http.route")).isEqualTo("/v1/agent/sessions/{id}");
        assertThat(request.attribute("http.response.status_code")).isEqualTo(200L);
        assertThat(request.attribute("url.path")).isEqualTo("/v1/agent/sessions/" + owner.sessionId());
        assertThat(request.resource().get("service.name")).isEqualTo("eryao");
    }

    @Test
    void aRunIsOneTraceFromItsEnqueueRequestThroughItsClaimAndModelCallToItsCharge() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        String caller = traceParent();
        String run = enqueueHello(owner, caller);
        performOne();

        List<ReceivedSpan> spans = awaitTrace(traceIdOf(caller), "eryao.run.charge");
        ReceivedSpan request = named(spans, "POST /v1/agent/sessions/{id}/runs");
        ReceivedSpan attempt = named(spans, "eryao.run.attempt");
        assertThat(attempt.isChildOf(request))
                .as("the attempt continues the enqueue request's span")
                .isTrue();
        assertThat(attempt.kind()).isEqualTo(CONSUMER);
        assertThat(attempt.attribute("eryao.run.id")).isEqualTo(run);
        assertThat(attempt.attribute("eryao.run.outcome")).isEqualTo("succeeded");
        for (String step : List.of("eryao.run.claim", "chat fake-model", "eryao.run.charge")) {
            assertThat(named(spans, step).isChildOf(attempt)).as(step).isTrue();
        }
        ReceivedSpan claim = named(spans, "eryao.run.claim");
        ReceivedSpan charge = named(spans, "eryao.run.charge");
        assertThat(claim.startNanos()).isEqualTo(attempt.startNanos());
        assertThat(charge.endNanos()).isLessThanOrEqualTo(attempt.endNanos());
        assertThat(charge.attribute("eryao.points.charged")).isNotNull();
        assertThat(fixture.strings("SELECT trace_parent FROM agent_run WHERE id = ?", UUID.fromString(run)))
                .singleElement()
                .satisfies(stored -> assertThat(stored).startsWith("00-" + traceIdOf(caller) + "-" + request.spanId()));
    }

    @Test
    void aModelCallCarriesTheGenAiAttributes() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        String caller = traceParent();
        enqueueHello(owner, caller);
        performOne();

        ReceivedSpan chat = named(awaitTrace(traceIdOf(caller), "chat fake-model"), "chat fake-model");
        assertThat(chat.attributes())
                .containsEntry("gen_ai.operation.name", "chat")
                .containsEntry("gen_ai.system", fixture.factoryName)
                .containsEntry("gen_ai.request.model", "fake-model")
                .containsEntry("gen_ai.usage.input_tokens", 12L)
                .containsEntry("gen_ai.usage.output_tokens", 7L);
        assertThat(chat.kind()).isEqualTo(3);
        assertThat(chat.attributes().toString())
                .as("never the conversation or the model's address")
                .doesNotContain("hello")
                .doesNotContain(fixture.llm.url());
    }

    @Test
    void statementsAreChildSpansOfTheRequestOrStepThatSentThemAndNeverRoots() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        String caller = traceParent();
        enqueueHello(owner, caller);
        try (Worker worker = fixture.worker(1, 1)) {
            assertThat(worker.performDue()).isEqualTo(1);
            // Idle claims (nothing due) and a rescue pass run outside any trace.
            assertThat(worker.performDue()).isZero();
            worker.rescueOnce();
        }

        List<ReceivedSpan> trace = awaitTrace(traceIdOf(caller), "eryao.run.charge");
        ReceivedSpan request = named(trace, "POST /v1/agent/sessions/{id}/runs");
        ReceivedSpan charge = named(trace, "eryao.run.charge");
        List<ReceivedSpan> enqueueStatements = trace.stream()
                .filter(span -> span.isChildOf(request) && span.attributes().containsKey("db.query.text"))
                .toList();
        assertThat(enqueueStatements)
                .as("the enqueue's statements under its request")
                .anySatisfy(span -> assertThat(span.name()).isEqualTo("INSERT"));
        assertThat(enqueueStatements).allSatisfy(span -> {
            assertThat(span.attribute("db.system.name")).isEqualTo("postgresql");
            assertThat((String) span.attribute("db.query.text")).doesNotContain("hello");
        });
        assertThat(trace).as("the charge's statements under the charge").anySatisfy(span -> {
            assertThat(span.isChildOf(charge)).isTrue();
            assertThat((String) span.attribute("db.query.text")).containsIgnoringCase("points_balance");
        });
        fixture.app.tracing().flush(WAIT);
        assertThat(receiver.spans())
                .filteredOn(span -> span.attributes().containsKey("db.query.text"))
                .allSatisfy(span -> assertThat(span.parentSpanId())
                        .as("no statement starts a trace (%s)", span.attribute("db.query.text"))
                        .isNotEmpty());
    }

    @Test
    void aRunAcceptedByAnotherProcessIsPerformedInItsTrace() throws Exception {
        RunFixture.Owner owner = fixture.owner(100);
        fixture.llm.then(new Answer("Hello there", 12, 7));
        Map<String, String> variables = new HashMap<>(fixture.processVariables(0, 250));
        variables.putAll(receiver.variables());
        variables.put("OTEL_SERVICE_NAME", "eryao-api"); // a standard variable, honoured
        String caller = traceParent();
        String run;
        try (ServeProcess serve = ServeProcess.start("serve", variables)) {
            run = enqueue(serve.port(), owner, caller);
            awaitSpan(span -> span.name().equals("POST /v1/agent/sessions/{id}/runs"));
        }
        try (Worker worker = fixture.worker(1, 1)) {
            assertThat(worker.performDue()).isEqualTo(1);
        }

        List<ReceivedSpan> trace = awaitTrace(traceIdOf(caller), "eryao.run.charge");
        ReceivedSpan request = named(trace, "POST /v1/agent/sessions/{id}/runs");
        ReceivedSpan attempt = named(trace, "eryao.run.attempt");
        assertThat(attempt.isChildOf(request)).isTrue();
        assertThat(attempt.attribute("eryao.run.id")).isEqualTo(run);
        assertThat(request.resource().get("process.pid"))
                .as("accepted in the serve process, performed in this one")
                .isNotEqualTo(attempt.resource().get("process.pid"))
                .isNotNull();
        assertThat(attempt.resource().get("process.pid"))
                .isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void withNoEndpointSetNothingIsTracedAndNoRunCarriesATrace() throws Exception {
        assertThat(Tracing.from(Map.of()).enabled()).isFalse();
        Map<String, String> disabled = new HashMap<>(receiver.variables());
        disabled.put("OTEL_SDK_DISABLED", "true");
        assertThat(Tracing.from(disabled).enabled()).isFalse();

        try (RunFixture untraced = new RunFixture(Tracing.from(Map.of()))) {
            ApiServer plain = untraced.app
                    .api(
                            new ServerSettings("127.0.0.1", 0, 64 * 1024),
                            JwtVerifier.from(
                                    new AuthSettings(null, Secret.of(TestKeys.HS256_SECRET), TestKeys.ISSUER),
                                    Clock.systemUTC()))
                    .start();
            RunFixture.Owner owner = untraced.owner(100);
            untraced.llm.then(new Answer("Hello there", 12, 7));
            String run = enqueue(plain.port(), owner, traceParent());
            try (Worker worker = untraced.worker(1, 1)) {
                assertThat(worker.performDue()).isEqualTo(1);
            }
            assertThat(untraced.app
                            .tracing()
                            .tracer()
                            .spanBuilder("probe")
                            .startSpan()
                            .isRecording())
                    .isFalse();
            assertThat(untraced.strings("SELECT trace_parent FROM agent_run WHERE id = ?", UUID.fromString(run)))
                    .containsExactly((String) null);
        }
        assertThat(receiver.exports()).as("nothing was ever sent").isZero();
    }

    @Test
    void anOtelVariableTheSdkCannotUseStopsStartUpNamingIt() {
        Map<String, String> grpc = new HashMap<>(receiver.variables());
        grpc.put("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
        grpc.put("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer collector-secret");
        assertThatThrownBy(() -> Tracing.from(grpc))
                .isInstanceOf(SettingsException.class)
                .hasMessageStartingWith("the OTEL_* variables cannot be used")
                .hasMessageNotContaining("collector-secret");
        Map<String, String> bad = new HashMap<>(receiver.variables());
        bad.put("OTEL_TRACES_SAMPLER", "sometimes");
        assertThatThrownBy(() -> Tracing.from(bad))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("sometimes");
    }

    private ReceivedSpan awaitSpan(java.util.function.Predicate<ReceivedSpan> wanted) throws InterruptedException {
        return receiver.await(wanted, WAIT).stream().filter(wanted).findFirst().orElseThrow();
    }

    /** The spans of {@code traceId} once one named {@code last} has arrived, and whatever its batch carried. */
    private List<ReceivedSpan> awaitTrace(String traceId, String last) throws InterruptedException {
        receiver.await(span -> span.traceId().equals(traceId) && span.name().equals(last), WAIT);
        fixture.app.tracing().flush(WAIT);
        return receiver.spans().stream()
                .filter(span -> span.traceId().equals(traceId))
                .toList();
    }

    private static ReceivedSpan named(List<ReceivedSpan> spans, String name) {
        List<ReceivedSpan> found =
                spans.stream().filter(span -> span.name().equals(name)).toList();
        assertThat(found)
                .as(
                        "one span %s among %s",
                        name, spans.stream().map(ReceivedSpan::name).toList())
                .hasSize(1);
        return found.getFirst();
    }

    /** A run the model answers "Hello there" (12 tokens in, 7 out), asked for within {@code caller}'s trace. */
    private String enqueueHello(RunFixture.Owner owner, String caller) throws Exception {
        fixture.llm.then(new Answer("Hello there", 12, 7));
        return enqueue(api.port(), owner, caller);
    }

    /** A worker with one attempt a run performs the one run due. */
    private void performOne() {
        try (Worker worker = fixture.worker(1, 1)) {
            assertThat(worker.performDue()).isEqualTo(1);
        }
    }

    private String enqueue(int port, RunFixture.Owner owner, String traceParent) throws Exception {
        HttpResponse<String> accepted = send(
                port,
                "POST",
                "/v1/agent/sessions/" + owner.sessionId() + "/runs",
                owner,
                JSON.writeValueAsString(Map.of("input", "hello")),
                traceParent);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return JSON.readTree(accepted.body()).path("task_id").asText();
    }

    private HttpResponse<String> send(
            int port, String method, String path, RunFixture.Owner owner, String body, String traceParent)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(WAIT)
                .header(
                        "Authorization",
                        "Bearer " + FixtureApi.token(owner.user().id()))
                .header("traceparent", traceParent)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A caller's sampled span, as a W3C traceparent. */
    private static String traceParent() {
        byte[] trace = new byte[16];
        byte[] span = new byte[8];
        ThreadLocalRandom.current().nextBytes(trace);
        ThreadLocalRandom.current().nextBytes(span);
        return "00-" + HexFormat.of().formatHex(trace) + "-" + HexFormat.of().formatHex(span) + "-01";
    }

    private static String traceIdOf(String traceParent) {
        return traceParent.substring(3, 35);
    }

    private static String spanIdOf(String traceParent) {
        return traceParent.substring(36, 52);
    }
}
