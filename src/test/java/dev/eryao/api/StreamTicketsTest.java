package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.App;
import dev.eryao.core.auth.JwtVerifier;
import dev.eryao.core.config.AuthSettings;
import dev.eryao.core.config.Secret;
import dev.eryao.core.config.ServerSettings;
import dev.eryao.services.StreamTicketService;
import dev.eryao.support.EventStream;
import dev.eryao.support.TestApi;
import dev.eryao.support.TestApi.Response;
import dev.eryao.support.TestDatabase;
import dev.eryao.support.TestKeys;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Stream tickets over real HTTP: the owner of a run gets one with a bearer token and opens the run's
 * event stream with it and nothing else, as a browser's EventSource does, on any server over the
 * same database; a ticket that is expired, forged, for another stream or shown with another user's
 * token is a 401 problem, and no route takes an access token in its URL.
 */
class StreamTicketsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final TestApi api = TestApi.get();
    private final UUID owner = UUID.randomUUID();
    private final String token = api.userToken(owner);

    @Test
    void theOwnerGetsATicketThatOpensTheRunsStreamWithoutAuthorization() throws Exception {
        String run = queuedRun();
        Instant before = Instant.now();

        Response issued = api.call("POST", "/v1/agent/runs/" + run + "/events", token, null);

        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        JsonNode ticket = issued.json();
        assertThat(ticket.path("url").asText())
                .isEqualTo("/v1/agent/runs/" + run + "/events?ticket="
                        + ticket.path("ticket").asText());
        assertThat(Instant.parse(ticket.path("expires_at").asText()))
                .isAfter(before)
                .isBeforeOrEqualTo(Instant.now().plus(StreamTicketService.LIFETIME));
        assertThat(ticket.path("ticket").asText()).doesNotContain(token);
        try (EventStream stream = openTicketed(api.server(), ticket.path("url").asText())) {
            assertThat(stream.status()).isEqualTo(200);
            EventStream.Event first = stream.next(WAIT);
            assertThat(first.name()).isEqualTo("status");
            assertThat(first.json().path("task_id").asText()).isEqualTo(run);
        }
        try (EventStream again = openTicketed(api.server(), ticket.path("url").asText())) {
            assertThat(again.status())
                    .as("shown again before it expires, as EventSource reconnects")
                    .isEqualTo(200);
        } finally {
            cancel(run);
        }
    }

    @Test
    void aTicketIssuedByOneServerOpensTheStreamOnAnotherOverTheSameDatabase() throws Exception {
        String run = queuedRun();
        String url = issue(run).path("url").asText();
        TestKeys keys = new TestKeys();
        try (App other =
                App.over(TestDatabase.get().database(), TestDatabase.get().settings(), null)) {
            ApiServer second = other.api(
                            new ServerSettings("127.0.0.1", 0, TestApi.MAX_BODY_BYTES),
                            JwtVerifier.from(
                                    new AuthSettings(keys.jwksUrl(), Secret.of(""), TestKeys.ISSUER),
                                    Clock.systemUTC()))
                    .start();
            try (EventStream stream = openTicketed(second, url)) {
                assertThat(stream.status()).isEqualTo(200);
                assertThat(stream.next(WAIT).json().path("task_id").asText()).isEqualTo(run);
            } finally {
                cancel(run);
            }
        } finally {
            keys.close();
        }
    }

    @Test
    void anExpiredForgedOrOtherStreamsTicketIsA401Problem() throws Exception {
        String run = queuedRun();
        String otherRun = queuedRun();
        String ticket = issue(run).path("ticket").asText();

        assertRefused(get("/v1/agent/runs/" + otherRun + "/events?ticket=" + ticket), "another stream");
        assertRefused(get("/v1/agent/runs/" + run + "/events?ticket=" + forged(ticket)), "not one this server issued");
        assertRefused(get("/v1/agent/runs/" + run + "/events?ticket=short"), "not one this server issued");
        assertRefused(get("/v1/agent/runs/" + run + "?ticket=" + ticket), "only the event stream");

        // As if a minute had passed: the row's expiry moved, not the test's clock.
        try (Connection connection = TestDatabase.get().connection();
                PreparedStatement expire = connection.prepareStatement(
                        "UPDATE stream_ticket SET expires_at = now() - interval '1 second' WHERE owner_id = ?")) {
            expire.setObject(1, owner);
            assertThat(expire.executeUpdate()).isEqualTo(1);
        }
        assertRefused(get("/v1/agent/runs/" + run + "/events?ticket=" + ticket), "expired");
    }

    @Test
    void anotherOwnersStreamGetsNoTicketAndATicketShownWithAnotherUsersTokenIsRefused() throws Exception {
        String run = queuedRun();
        String stranger = api.userToken(UUID.randomUUID());

        Response foreign = api.call("POST", "/v1/agent/runs/" + run + "/events", stranger, null);
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.isProblem()).isTrue();
        assertThat(api.call("POST", "/v1/agent/runs/" + run + "/events", null, null)
                        .status())
                .as("a ticket needs a bearer token")
                .isEqualTo(401);

        String url = issue(run).path("url").asText();
        Response mixed = api.call("GET", url, stranger, null, "Accept", "text/event-stream");
        assertRefused(mixed, "another user");
    }

    @Test
    void anAccessTokenInTheUrlIsNeverAccepted() {
        for (String name : AuthHandler.CREDENTIALS_IN_URL) {
            Response response = api.call("GET", "/v1/agent/sessions?" + name + "=" + token, null, null);
            assertRefused(response, "never accepted in a URL");
            assertThat(response.body()).doesNotContain(token);
        }
        Response withHeaderToo = api.call("GET", "/v1/agent/sessions?access_token=" + token, token, null);
        assertRefused(withHeaderToo, "never accepted in a URL");
    }

    /** Ends the run's open streams (it has finished), so that none is open when a server stops. */
    private void cancel(String run) {
        assertThat(api.call("POST", "/v1/agent/runs/" + run + "/cancel", token, null)
                        .status())
                .isEqualTo(200);
    }

    private void assertRefused(Response response, String detail) {
        assertThat(response.status()).as(response.toString()).isEqualTo(401);
        assertThat(response.isProblem()).as(response.toString()).isTrue();
        assertThat(response.json().path("detail").asText()).contains(detail);
    }

    /** The same length and alphabet, one character changed. */
    private static String forged(String ticket) {
        char last = ticket.charAt(ticket.length() - 1);
        return ticket.substring(0, ticket.length() - 1) + (last == 'A' ? 'B' : 'A');
    }

    private Response get(String url) {
        return api.call("GET", url, null, null, "Accept", "text/event-stream");
    }

    private JsonNode issue(String run) {
        Response issued = api.call("POST", "/v1/agent/runs/" + run + "/events", token, null);
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        return issued.json();
    }

    private static EventStream openTicketed(ApiServer server, String url) throws Exception {
        return EventStream.openUrl(URI.create("http://127.0.0.1:" + server.port() + url));
    }

    private String queuedRun() {
        Response granted = api.grant(
                api.serviceToken(UUID.randomUUID()),
                "{\"owner_id\":\"" + owner + "\",\"amount\":10,\"reason\":\"ticket test\"}");
        assertThat(granted.status()).as(granted.toString()).isEqualTo(201);
        String session = api.call(
                        "POST",
                        "/v1/agent/sessions",
                        token,
                        "{\"title\":\"tickets\",\"llm_id\":\"" + TestApi.freeModel() + "\"}")
                .json()
                .get("id")
                .asText();
        Response accepted = api.call("POST", "/v1/agent/sessions/" + session + "/runs", token, "{\"input\":\"hello\"}");
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        return accepted.json().path("task_id").asText();
    }
}
