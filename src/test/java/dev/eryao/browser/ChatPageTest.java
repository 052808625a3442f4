package dev.eryao.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.support.FakeLlmServer;
import dev.eryao.support.FakeLlmServer.Answer;
import dev.eryao.support.FakeLlmServer.Streamed;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The chat page as a newcomer meets it: {@code bin/eryao serve} on a fresh data directory (the
 * embedded database, the local secret), the page at {@code /} in headless Chromium, signed in with
 * the local-token button, on a model the stand-in answers. The answer is seen while the model is
 * still writing it (the stand-in holds the rest back until the test lets it go), and a run is
 * stopped mid-answer from the page. Same origin: no CORS involved.
 */
class ChatPageTest {
    private static final String MODEL = "Browser stand-in";

    private static FakeLlmServer model;
    private static ChatServe serve;
    private static Chromium chromium;

    @BeforeAll
    static void start() {
        Chromium.assumeInstalled();
        model = new FakeLlmServer();
        serve = ChatServe.start(Map.of());
        serve.addModel(MODEL, model.url());
        chromium = Chromium.start();
    }

    @AfterAll
    static void stop() {
        try (var a = chromium;
                var b = serve;
                var c = model) {
            // closed in reverse order: the browser, then serve, then the model
        }
    }

    /** Opens the page as a user of its own (the id this browser keeps for local tokens) and signs in. */
    private static UUID signInWithTheLocalToken(long points) {
        UUID user = UUID.randomUUID();
        serve.grant(user, points);
        chromium.open(serve.origin() + "/");
        chromium.script(
                "sessionStorage.clear(); localStorage.setItem('eryao.local-user', arguments[0]);", user.toString());
        chromium.open(serve.origin() + "/");
        chromium.until("the local-token button", page -> chromium.visible("#local-token"));
        chromium.find("#local-token").click();
        chromium.until("signed in", page -> chromium.visible("#chat"));
        new Select(chromium.find("#model")).selectByVisibleText(modelOption());
        return user;
    }

    private static String modelOption() {
        return chromium.driver().findElements(By.cssSelector("#model option")).stream()
                .map(option -> option.getText())
                .filter(text -> text.startsWith(MODEL + " "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the page lists no " + MODEL));
    }

    private static void send(String text) {
        chromium.find("#input").sendKeys(text);
        chromium.find("#send").click();
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

    @Test
    void aNewcomerSignsInWithTheLocalTokenAndWatchesTheAnswerStream() throws Exception {
        CountDownLatch rest = new CountDownLatch(1);
        model.then(new Streamed(List.of("Bom", " dia,", " Lisboa"), Duration.ZERO, 12, 3, rest));
        UUID user = signInWithTheLocalToken(100);
        assertThat(chromium.text("#user")).contains(user.toString());
        assertThat(chromium.text("#balance")).isEqualTo("100");

        send("Good morning");
        try {
            chromium.until(
                    "the first piece, while the model holds the rest",
                    page -> answerShown().equals("Bom"));
            assertThat(chromium.text("#messages li.user .content")).isEqualTo("Good morning");
            chromium.until(
                    "the run's hold shown", page -> !chromium.text("#held").equals("0"));
            assertThat(chromium.find("body").getDomAttribute("data-stream"))
                    .as("a plain EventSource where the server gives stream tickets, else the fetch() reader")
                    .isEqualTo(serve.hasStreamTickets() ? "eventsource" : "fetch");
        } finally {
            rest.countDown();
        }

        chromium.until("the run succeeded", page -> "succeeded".equals(runStatusShown()));
        chromium.until("the whole answer", page -> answerShown().equals("Bom dia, Lisboa"));
        String token = serve.token(user, CurrentUser.AUTHENTICATED);
        JsonNode run =
                serve.call("GET", "/v1/agent/runs/" + runShown(), token, null).json();
        assertThat(run.path("status").asText()).isEqualTo("succeeded");
        assertThat(run.path("output").asText()).isEqualTo("Bom dia, Lisboa");
        JsonNode account = serve.call("GET", "/v1/points/balance", token, null).json();
        assertThat(account.path("held").asLong()).isZero();
        assertThat(account.path("balance").asLong()).isLessThan(100); // it cost something
        chromium.until(
                "the points after the charge",
                page -> chromium.text("#balance").equals(account.path("balance").asText())
                        && chromium.text("#held").equals("0")
                        && chromium.text("#available")
                                .equals(account.path("available").asText()));
        assertThat(chromium.text("#sessions")).contains("Good morning");
    }

    @Test
    void stopEndsARunMidAnswerAndKeepsWhatWasWritten() throws Exception {
        CountDownLatch rest = new CountDownLatch(1);
        model.then(new Streamed(List.of("Once", " upon", " a", " time"), Duration.ZERO, null, null, rest));
        UUID user = signInWithTheLocalToken(100);
        try {
            send("Tell me a story");
            chromium.until("the first piece", page -> answerShown().equals("Once"));
            assertThat(chromium.visible("#stop")).isTrue();
            chromium.find("#stop").click();

            chromium.until("the run cancelled", page -> "cancelled".equals(runStatusShown()));
            String token = serve.token(user, CurrentUser.AUTHENTICATED);
            JsonNode run = serve.call("GET", "/v1/agent/runs/" + runShown(), token, null)
                    .json();
            assertThat(run.path("status").asText()).isEqualTo("cancelled");
            assertThat(run.path("cancel_requested_at").isNull()).isFalse();
            chromium.until("what was written kept", page -> answerShown().equals("Once"));
            assertThat(chromium.visible("#stop")).isFalse();
            assertThat(chromium.find("#send").isEnabled()).isTrue();
        } finally {
            rest.countDown();
        }
    }

    /** Waits until the page shows a run other than {@code previous} ended with {@code status}; returns it. */
    private static UUID awaitRun(UUID previous, String status) {
        chromium.until("a new run " + status, page -> {
            String shown = chromium.find("#run-status").getDomAttribute("data-task-id");
            return shown != null
                    && !shown.isEmpty()
                    && !shown.equals(String.valueOf(previous))
                    && status.equals(runStatusShown());
        });
        return runShown();
    }

    private static WebElement button(String message, String label) {
        List<WebElement> found = chromium.driver()
                .findElements(By.xpath(
                        "//ol[@id='messages']/li[contains(@class,'" + message + "')]//button[text()='" + label + "']"));
        return found.isEmpty() || !found.getLast().isEnabled() ? null : found.getLast();
    }

    private static int messagesShown() {
        return chromium.driver().findElements(By.cssSelector("#messages li")).size();
    }

    @Test
    void regenerateAndEditMakeSiblingsAndThePageShowsTheNewBranch() {
        assumeTrue(
                serve.hasConversations(),
                "needs regenerate and edit (issue 23, a session is one conversation): this server has not got them yet");
        UUID user = signInWithTheLocalToken(100);
        model.then(new Answer("First answer", 10, 2));
        send("Question one");
        UUID first = awaitRun(null, "succeeded");
        chromium.until("the answer", page -> answerShown().equals("First answer"));

        model.then(new Answer("Second answer", 10, 2));
        chromium.until("Regenerate offered", page -> button("assistant", "Regenerate"))
                .click();
        UUID second = awaitRun(first, "succeeded");
        chromium.until(
                "the new answer in the old one's place",
                page -> answerShown().equals("Second answer") && messagesShown() == 2);

        model.then(new Answer("Edited answer", 10, 2));
        chromium.until("Edit offered", page -> button("user", "Edit")).click();
        WebElement editor = chromium.find("#messages li.user textarea");
        editor.clear();
        editor.sendKeys("Question two");
        chromium.until("Send edit offered", page -> button("user", "Send edit")).click();
        UUID third = awaitRun(second, "succeeded");
        chromium.until(
                "the edited branch",
                page -> answerShown().equals("Edited answer")
                        && chromium.text("#messages li.user .content").equals("Question two")
                        && messagesShown() == 2);

        String token = serve.token(user, CurrentUser.AUTHENTICATED);
        String session = serve.call("GET", "/v1/agent/runs/" + third, token, null)
                .json()
                .path("session_id")
                .asText();
        JsonNode all = serve.call("GET", "/v1/agent/sessions/" + session + "/messages?branch=all", token, null)
                .json()
                .path("items");
        assertThat(all).as("two questions and three answers, every one kept").hasSize(5);
    }

    @Test
    void thePageIsServedFromTheJarBesideTheApi() {
        Map<String, String> types = Map.of(
                "/", "text/html",
                "/index.html", "text/html",
                "/app.js", "text/javascript",
                "/app.css", "text/css");
        types.forEach((path, type) -> {
            ChatServe.Response file = serve.call("GET", path, null, null);
            assertThat(file.status()).as(path).isEqualTo(200);
            assertThat(file.raw().headers().firstValue("Content-Type").orElseThrow())
                    .as(path)
                    .startsWith(type);
            assertThat(file.raw().headers().firstValue("Cache-Control"))
                    .as(path)
                    .contains("no-cache");
            assertThat(file.raw()
                            .headers()
                            .firstValue("Content-Security-Policy")
                            .orElseThrow())
                    .as("the page runs only its own script and style, fetched from nowhere else")
                    .contains("script-src 'self'", "style-src 'self'");
        });
        assertThat(serve.call("GET", "/app.js", null, null).body())
                .as("nothing fetched from a CDN")
                .doesNotContain("http://", "https://");
        assertThat(serve.call("GET", "/openapi.json", null, null)
                        .json()
                        .path("openapi")
                        .asText())
                .startsWith("3.");
        assertThat(serve.call("GET", "/healthz", null, null)
                        .json()
                        .path("status")
                        .asText())
                .isEqualTo("ok");
        assertThat(serve.call("GET", "/v1/points/balance", null, null).status()).isEqualTo(401);
        assertThat(serve.call("GET", "/nothing-here.js", null, null).status()).isEqualTo(404);
    }

    @Test
    void theLocalTokenIsMintedOnlyForThisServersOwnPageOnALoopbackName() throws Exception {
        String body = "{\"sub\":\"" + UUID.randomUUID() + "\"}";
        assertThat(serve.call("POST", "/local/token", null, body).status()).isEqualTo(201);
        ChatServe.Response otherOrigin = serve.call("POST", "/local/token", null, body, "Origin", "http://127.0.0.1:1");
        assertThat(otherOrigin.status()).isEqualTo(403);
        assertThat(otherOrigin.json().path("detail").asText()).contains("another origin");
        assertThat(otherOrigin.body()).doesNotContain("access_token");

        // A page whose own name resolves to 127.0.0.1 (DNS rebinding) is same-origin to itself: its Host gives it away.
        int port = Integer.parseInt(serve.origin().replaceAll(".*:", ""));
        String request = "POST /local/token HTTP/1.1\r\nHost: rebound.example:" + port
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer)
                    .startsWith("HTTP/1.1 403")
                    .contains("loopback name")
                    .doesNotContain("access_token");
        } catch (IOException e) {
            throw new AssertionError("serve did not answer: " + serve.output(), e);
        }
    }
}
