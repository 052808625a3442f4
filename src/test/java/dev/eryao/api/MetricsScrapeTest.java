package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.eryao.support.PrometheusText;
import dev.eryao.support.PrometheusText.Family;
import dev.eryao.support.PrometheusText.Sample;
import dev.eryao.support.TestApi;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What {@code /metrics} shows an operator: a scrape a strict text-format reader and
 * {@code promtool check metrics} accept, every family with HELP text, request latency as a
 * histogram by route template (a refused call's too), and the runs', the pool's and the event
 * streams' gauges.
 */
class MetricsScrapeTest {
    private final TestApi api = TestApi.get();

    @Test
    void theScrapeIsStrictTextFormatWithHelpForEveryFamily() {
        assertThat(api.get("/healthz", null).status()).isEqualTo(200);
        Map<String, Family> families = PrometheusText.parse(scrape());

        assertThat(families).isNotEmpty();
        assertThat(families.values())
                .allSatisfy(
                        family -> assertThat(family.help()).as(family.name()).isNotBlank());
        assertThat(families)
                .containsKeys(
                        "http_server_requests_seconds",
                        "eryao_runs_queued",
                        "eryao_runs_queued_oldest_age_seconds",
                        "eryao_runs_accepted_total",
                        "eryao_runs_finished_total",
                        "eryao_events_streams",
                        "eryao_listen_connected",
                        "hikaricp_connections_active",
                        "hikaricp_connections_idle",
                        "hikaricp_connections_pending",
                        "hikaricp_connections_acquire_seconds");
        assertThat(families.get("http_server_requests_seconds").type()).isEqualTo("histogram");
        assertThat(families.get("eryao_runs_queued").samples().getFirst().value())
                .as("read from the database")
                .isNotNaN();
        assertThat(families.get("eryao_listen_connected").samples().getFirst().value())
                .as("the suite's app listens")
                .isEqualTo(1);
    }

    @Test
    void theStrictReaderRefusesWhatALenientOneLetsThrough() {
        assertThatThrownBy(() -> PrometheusText.parse("# HELP a \n# TYPE a gauge\na 1\n"))
                .hasMessageContaining("no HELP text");
        assertThatThrownBy(() -> PrometheusText.parse("a 1\n")).hasMessageContaining("no TYPE");
        assertThatThrownBy(() -> PrometheusText.parse("# HELP a x\n# TYPE a gauge\na{b=\"1\"} 1\na{b=\"1\"} 2\n"))
                .hasMessageContaining("repeated");
        assertThatThrownBy(() -> PrometheusText.parse("# HELP a x\n# TYPE a histogram\n"
                        + "a_bucket{le=\"1\"} 2\na_bucket{le=\"+Inf\"} 1\na_count 1\na_sum 1\n"))
                .hasMessageContaining("fall");
    }

    @Test
    void promtoolAcceptsTheScrape() throws Exception {
        Optional<Path> promtool = onPath("promtool");
        assumeTrue(promtool.isPresent(), "promtool is not installed (Debian: apt-get install prometheus)");
        Process check = new ProcessBuilder(promtool.get().toString(), "check", "metrics")
                .redirectErrorStream(true)
                .start();
        try (OutputStream in = check.getOutputStream()) {
            in.write(scrape().getBytes(StandardCharsets.UTF_8));
        }
        String said = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(said).isZero();
        assertThat(said).as("promtool's findings").isBlank();
    }

    @Test
    void refusedCallsAreTimedUnderTheirRouteTemplate() {
        String user = api.userToken(UUID.randomUUID());
        String session = "/v1/agent/sessions/" + UUID.randomUUID();
        assertThat(api.get(session, null).status()).isEqualTo(401);
        assertThat(api.call("POST", "/v1/admin/llm/factories", user, "{\"name\":\"x\"}")
                        .status())
                .isEqualTo(403);
        assertThat(api.call("PUT", session, user, "{}").status()).isEqualTo(405);

        Map<String, Family> families = PrometheusText.parse(scrape());
        Family requests = families.get("http_server_requests_seconds");
        assertThat(count(requests, "GET", "/v1/agent/sessions/{id}", "401")).isPositive();
        assertThat(count(requests, "POST", "/v1/admin/llm/factories", "403")).isPositive();
        assertThat(count(requests, "PUT", "/v1/agent/sessions/{id}", "405")).isPositive();
        assertThat(requests.samples())
                .as("a p99 needs buckets")
                .anyMatch(sample -> sample.name().equals("http_server_requests_seconds_bucket")
                        && "/v1/agent/sessions/{id}".equals(sample.labels().get("route"))
                        && "0.005".equals(sample.labels().get("le")));
    }

    @Test
    void aPathNoRouteHasIsUnmatched() {
        assertThat(api.get("/no/such/" + UUID.randomUUID(), null).status()).isEqualTo(404);

        Family requests = PrometheusText.parse(scrape()).get("http_server_requests_seconds");
        assertThat(count(requests, "GET", HttpMetrics.UNMATCHED, "404")).isPositive();
        assertThat(requests.samples())
                .noneMatch(sample -> sample.labels().getOrDefault("route", "").startsWith("/no/such/"));
    }

    private static double count(Family requests, String method, String route, String status) {
        return requests.samples().stream()
                .filter(sample -> sample.name().equals("http_server_requests_seconds_count"))
                .filter(sample -> method.equals(sample.labels().get("method"))
                        && route.equals(sample.labels().get("route"))
                        && status.equals(sample.labels().get("status")))
                .mapToDouble(Sample::value)
                .sum();
    }

    private String scrape() {
        TestApi.Response metrics = api.get("/metrics", null);
        assertThat(metrics.status()).isEqualTo(200);
        return metrics.body();
    }

    private static Optional<Path> onPath(String tool) throws IOException {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        try (Stream<String> dirs = Stream.of(path.split(File.pathSeparator))) {
            return dirs.map(dir -> Path.of(dir, tool))
                    .filter(Files::isExecutable)
                    .findFirst();
        }
    }
}
