package dev.eryao.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.mcp.McpHttpServer;
import dev.eryao.mcp.StandInMcpServer;
import dev.eryao.provider.StandInModel;
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
 * stopped mid-answer from the page. Same origin: no CORS involved. Runs that call tools use what
 * {@code bin/eryao stand-in} serves, on free ports: its model ({@link StandInModel}, which calls the
 * tools a message names) and its MCP server, where the seeded registration {@code demo} is pointed.
 */
class ChatPageTest {
    private static final String MODEL = "Browser stand-in";
    private static final String TOOL_MODEL = "Tool stand-in";

    private static FakeLlmServer model;
    private static StandInModel toolModel;
    private static McpHttpServer demoTools;
    private static ChatServe serve;
    private static Chromium chromium;

    @BeforeAll
    static void start() throws IOException {
        Chromium.assumeInstalled();
        model = new FakeLlmServer();
        toolModel = StandInModel.start(0, Duration.ZERO);
        demoTools = StandInMcpServer.start(0);
        serve = ChatServe.start(Map.of());
        serve.addModel(MODEL, model.url());
        serve.addModel(TOOL_MODEL, toolModel.url());
        serve.pointMcpServer("demo", demoTools.url());
        chromium = Chromium.start();
    }

    @AfterAll
    static void stop() {
        try (var a = chromium;
                var b = serve;
                var c = model;
                var d = toolModel;
                var e = demoTools) {
            // closed in reverse order: the tools, the models, then serve, then the browser
        }
    }

    /** Opens the page as a user of its own (the id this browser keeps for local tokens) and signs in. */
    private static UUID signInWithTheLocalToken(long points) {
        return signInWithTheLocalToken(points, MODEL);
    }

    private static UUID signInWithTheLocalToken(long points, String modelName) {
        UUID user = UUID.randomUUID();
        serve.grant(user, points);
        // Cleared on a page of the same origin that runs no script: on the chat page itself, a sign-in
        // with the token the last test kept could still be under way, and store it again after the clear.
        chromium.driver().get(serve.origin() + "/healthz");
        chromium.script(
                "sessionStorage.clear(); localStorage.removeItem('eryao.tools');"
                        + " localStorage.setItem('eryao.local-user', arguments[0]);",
                user.toString());
        chromium.open(serve.origin() + "/");
        chromium.until("the local-token button", page -> chromium.visible("#local-token"));
        chromium.find("#local-token").click();
        chromium.until("signed in", page -> chromium.visible("#chat"));
        new Select(chromium.find("#model")).selectByVisibleText(modelOption(modelName));
        return user;
    }

    /** The model's option, once the page has listed the catalog (which it fetches beside the sign-in). */
    private static String modelOption(String modelName) {
        return chromium.until(
                "the page lists " + modelName,
                page -> page.findElements(By.cssSelector("#model option")).stream()
                        .map(option -> option.getText())
                        .filter(text -> text.startsWith(modelName + " "))
                        .findFirst()
                        .orElse(null));
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

    /**
     * The call of {@code tool} shown above the answer, once it is in {@code state} (pending, done,
     * error, …): its arguments and result as shown, read in one go (the page redraws the messages
     * when a run ends, so an element found earlier may be gone).
     */
    private static Map<?, ?> stepShown(String tool, String state) {
        return chromium.until(
                "the call of " + tool + " shown as " + state, page -> (Map<?, ?>) chromium.script("""
                const step = [...document.querySelectorAll('#messages li.assistant .steps .step')]
                    .find((s) => s.dataset.state === arguments[1] && s.querySelector('.tool').textContent === arguments[0]);
                return step ? {arguments: step.querySelector('.arguments').textContent,
                               result: step.querySelector('.result').textContent} : null;
                """, tool, state));
    }

    /** The button {@code label} of the pending call of {@code tool}. */
    private static WebElement decisionButton(String tool, String label) {
        return chromium.until(
                label + " offered for " + tool,
                page -> chromium
                        .driver()
                        .findElements(
                                By.xpath("//ol[@id='messages']//li[contains(@class,'step') and @data-state='pending'"
                                        + " and code[@class='tool' and text()='" + tool + "']]//button[text()='" + label
                                        + "']"))
                        .stream()
                        .filter(WebElement::isEnabled)
                        .findFirst()
                        .orElse(null));
    }

    private static List<JsonNode> steps(UUID user, UUID task) {
        String token = serve.token(user, CurrentUser.AUTHENTICATED);
        List<JsonNode> steps = new java.util.ArrayList<>();
        serve.call("GET", "/v1/agent/runs/" + task + "/steps", token, null)
                .json()
                .path("items")
                .forEach(steps::add);
        return steps;
    }

    @Test
    void aCallNeedingApprovalIsApprovedOnThePageAndTheAnswerQuotesItsResult() {
        UUID user = signInWithTheLocalToken(100, TOOL_MODEL);
        chromium.find("#tools").sendKeys("demo");
        send("call demo__add {\"a\":2,\"b\":3}");

        chromium.until("the run waits for the approval", page -> "requires_approval".equals(runStatusShown()));
        Map<?, ?> pending = stepShown("demo__add", "pending");
        assertThat(pending.get("arguments")).isEqualTo("{\"a\":2,\"b\":3}");
        assertThat(pending.get("result")).isEqualTo("needs your approval");
        UUID task = runShown();
        decisionButton("demo__add", "Approve").click();

        chromium.until("the resumed run succeeded", page -> "succeeded".equals(runStatusShown()));
        chromium.until(
                "the answer quoting the tool's result",
                page -> answerShown().equals("(stand-in) The tools answered: demo__add: 5"));
        Map<?, ?> done = stepShown("demo__add", "done");
        assertThat(done.get("arguments")).isEqualTo("{\"a\":2,\"b\":3}");
        assertThat(done.get("result")).isEqualTo("result: 5");
        assertThat(chromium.driver().findElements(By.xpath("//ol[@id='messages']//button[text()='Approve']")))
                .as("nothing left to approve")
                .isEmpty();
        assertThat(runShown()).isEqualTo(task);
        List<JsonNode> steps = steps(user, task);
        assertThat(steps).extracting(step -> step.path("kind").asText()).containsExactly("model", "tool", "model");
        assertThat(steps.get(1).path("result").asText()).isEqualTo("5");
    }

    @Test
    void aDeniedCallGoesBackToTheModelAndThePageShowsTheDenialAndTheAnswer() {
        UUID user = signInWithTheLocalToken(100, TOOL_MODEL);
        chromium.find("#tools").sendKeys("demo");
        send("call demo__add {\"a\":40,\"b\":2}");

        stepShown("demo__add", "pending");
        UUID task = runShown();
        chromium.find("#messages .step[data-state='pending'] input.reason").sendKeys("not today");
        decisionButton("demo__add", "Deny").click();

        chromium.until("the resumed run succeeded", page -> "succeeded".equals(runStatusShown()));
        String denial = "the owner denied this call: not today; answer without its result";
        chromium.until(
                "the answer saying the call was denied",
                page -> answerShown().equals("(stand-in) The tools answered: demo__add: " + denial));
        assertThat(stepShown("demo__add", "error").get("result")).isEqualTo("error: " + denial);
        List<JsonNode> steps = steps(user, task);
        assertThat(steps).extracting(step -> step.path("kind").asText()).containsExactly("model", "tool", "model");
        assertThat(steps.get(1).path("error").asBoolean()).isTrue();
        assertThat(steps.get(1).path("result").asText()).isEqualTo(denial);
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
