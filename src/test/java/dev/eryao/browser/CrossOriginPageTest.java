package dev.eryao.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.support.FakeLlmServer;
import dev.eryao.support.FakeLlmServer.Streamed;
import dev.eryao.support.TestKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/**
 * The chat page as a front-end team runs it: its files served from another loopback origin (their
 * dev server), the API at {@code serve}'s, which lets in exactly the origins of
 * {@code ERYAO_SERVER__CORS_ORIGINS}. The token is pasted, as with Supabase (the server has a
 * configured secret, so it mints none itself). A listed origin streams and stops a run through CORS,
 * following it with a plain {@code EventSource} on a stream ticket; an origin not listed is refused
 * by the browser itself.
 */
class CrossOriginPageTest {
    private static final String MODEL = "Cross-origin stand-in";
    private static final String NEEDS_CORS_AND_TICKETS = "needs ERYAO_SERVER__CORS_ORIGINS and stream tickets"
            + " (issue 24 parts 1 and 2, built on another branch): this server has not got them yet";

    private static FakeLlmServer model;
    private static PageServer listed;
    private static PageServer unlisted;
    private static ChatServe serve;
    private static Chromium chromium;

    @BeforeAll
    static void start() {
        Chromium.assumeInstalled();
        model = new FakeLlmServer();
        listed = new PageServer();
        unlisted = new PageServer();
        serve = ChatServe.start(
                Map.of("ERYAO_AUTH__JWT_SECRET", TestKeys.HS256_SECRET, "ERYAO_SERVER__CORS_ORIGINS", listed.origin()));
        serve.addModel(MODEL, model.url());
        chromium = Chromium.start();
    }

    @AfterAll
    static void stop() {
        try (var a = chromium;
                var b = serve;
                var c = unlisted;
                var d = listed;
                var e = model) {
            // closed in reverse order
        }
    }

    /** Opens the page from {@code page} pointed at the API, pastes a new user's token and signs in. */
    private static String signIn(PageServer page, UUID user) {
        String token = serve.token(user, CurrentUser.AUTHENTICATED);
        chromium.open(page.origin() + "/index.html?api=" + serve.origin());
        chromium.script("sessionStorage.clear();");
        chromium.open(page.origin() + "/index.html?api=" + serve.origin());
        chromium.until(
                "the local-token check", driver -> chromium.find("body").getDomAttribute("data-local-token") != null);
        assertThat(chromium.visible("#local-token"))
                .as("no local token for a page of another origin")
                .isFalse();
        chromium.find("#token-input").sendKeys(token);
        chromium.find("#use-token").click();
        return token;
    }

    private static String answerShown() {
        return chromium.text("#messages li.assistant .content");
    }

    private static String runStatusShown() {
        return chromium.find("#run-status").getDomAttribute("data-status");
    }

    private static UUID runShown() {
        return UUID.fromString(chromium.find("#run-status").getDomAttribute("data-task-id"));
    }

    private static void send(String text) {
        chromium.find("#input").sendKeys(text);
        chromium.find("#send").click();
    }

    @SuppressWarnings("unchecked")
    private static List<String> requestedUrls() {
        return (List<String>)
                chromium.script("return performance.getEntriesByType('resource').map(entry => entry.name);");
    }

    @Test
    void aPageOnAListedOriginStreamsAndStopsARunThroughCorsWithAnEventSourceAndATicket() throws Exception {
        assumeTrue(serve.letsIn(listed.origin()) && serve.hasStreamTickets(), NEEDS_CORS_AND_TICKETS);
        UUID user = UUID.randomUUID();
        serve.grant(user, 100);
        String token = signIn(listed, user);
        chromium.until("signed in", driver -> chromium.visible("#chat"));
        assertThat(chromium.text("#balance")).isEqualTo("100");
        // The catalog is fetched beside the balance: wait for the model to be listed.
        String option = chromium.until(
                "the page lists " + MODEL,
                page -> page.findElements(By.cssSelector("#model option")).stream()
                        .map(element -> element.getText())
                        .filter(text -> text.startsWith(MODEL + " "))
                        .findFirst()
                        .orElse(null));
        new Select(chromium.find("#model")).selectByVisibleText(option);

        CountDownLatch rest = new CountDownLatch(1);
        model.then(new Streamed(List.of("Olá", " de", " longe"), Duration.ZERO, 12, 3, rest));
        send("Hello from elsewhere");
        try {
            chromium.until(
                    "the first piece, while the model holds the rest",
                    driver -> answerShown().equals("Olá"));
            assertThat(chromium.find("body").getDomAttribute("data-stream")).isEqualTo("eventsource");
        } finally {
            rest.countDown();
        }
        chromium.until("the run succeeded", driver -> "succeeded".equals(runStatusShown()));
        chromium.until("the whole answer", driver -> answerShown().equals("Olá de longe"));
        assertThat(requestedUrls())
                .as("the stream was opened with a ticket, and no URL ever carried the access token")
                .anyMatch(url -> url.startsWith(serve.origin() + "/v1/agent/runs/") && url.contains("ticket="))
                .noneMatch(url -> url.contains(token));

        CountDownLatch never = new CountDownLatch(1);
        model.then(new Streamed(List.of("Long", " story"), Duration.ZERO, null, null, never));
        try {
            send("Tell me everything");
            chromium.until("the first piece", driver -> answerShown().equals("Long"));
            chromium.find("#stop").click();
            chromium.until("the run cancelled", driver -> "cancelled".equals(runStatusShown()));
            JsonNode run = serve.call("GET", "/v1/agent/runs/" + runShown(), token, null)
                    .json();
            assertThat(run.path("status").asText()).isEqualTo("cancelled");
            chromium.until("what was written kept", driver -> answerShown().equals("Long"));
        } finally {
            never.countDown();
        }
    }

    @Test
    void aPageOnAnOriginNotListedIsRefusedByTheBrowser() {
        UUID user = UUID.randomUUID();
        String token = signIn(unlisted, user);

        chromium.until("the page sees its call fail", driver -> chromium.visible("#error"));
        assertThat(chromium.text("#error"))
                .contains("cannot reach the API at " + serve.origin())
                .contains(unlisted.origin(), "ERYAO_SERVER__CORS_ORIGINS");
        assertThat(chromium.visible("#chat")).isFalse();
        // The server itself answers that token; it is the browser that refuses the page the answer.
        assertThat(serve.call("GET", "/v1/points/balance", token, null).status())
                .isEqualTo(200);
        assertThat(serve.letsIn(unlisted.origin())).isFalse();
    }

    @Test
    void theServersOwnPageOffersNoLocalTokenWhereASecretIsConfigured() {
        chromium.open(serve.origin() + "/");
        chromium.until(
                "the local-token check", driver -> chromium.find("body").getDomAttribute("data-local-token") != null);
        assertThat(chromium.find("body").getDomAttribute("data-local-token")).isEqualTo("absent");
        assertThat(chromium.visible("#local-token")).isFalse();
        assertThat(serve.call("POST", "/local/token", null, "{\"sub\":\"" + UUID.randomUUID() + "\"}")
                        .status())
                .isEqualTo(404);
    }
}
