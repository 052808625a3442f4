package dev.eryao.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.core.auth.CurrentUser;
import dev.eryao.core.auth.LocalJwtSecret;
import dev.eryao.core.auth.TokenIssuer;
import dev.eryao.core.config.Secret;
import dev.eryao.support.ServeProcess;
import dev.eryao.support.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A real {@code eryao serve} for the browser tests, as a newcomer starts it: its own process over
 * its own embedded PostgreSQL (a fresh data directory, migrated and seeded by {@code serve}), with a
 * worker, so runs really are performed — by the test's stand-in model ({@code FakeLlmServer}), which
 * a model added to the catalog points at. Nothing of the suite's shared database is touched, so the
 * worker can never meet another test's runs. Inherited {@code ERYAO_*} variables are blanked (blank
 * is unset), so only what a test passes configures it.
 */
final class ChatServe implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Response(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }

    private final Path dataDir;
    private final ServeProcess process;
    private final Secret secret;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ChatServe(Path dataDir, ServeProcess process, Secret secret) {
        this.dataDir = dataDir;
        this.process = process;
        this.secret = secret;
    }

    /**
     * Starts one with these variables set (none: the local secret, as {@code bin/eryao serve} on a
     * fresh checkout). With {@code ERYAO_AUTH__JWT_SECRET} among them, tokens are signed with it.
     */
    static ChatServe start(Map<String, String> variables) {
        Path dataDir = TestDatabase.temporaryDirectory();
        Map<String, String> environment = new HashMap<>();
        System.getenv().keySet().stream()
                .filter(name -> name.startsWith("ERYAO_"))
                .forEach(name -> environment.put(name, ""));
        environment.put("ERYAO_DATA_DIR", dataDir.toString());
        environment.put("ERYAO_SERVER__PORT", "0");
        environment.putAll(variables);
        ServeProcess process = ServeProcess.start("serve", environment);
        String configured = variables.get("ERYAO_AUTH__JWT_SECRET");
        Secret secret = configured != null
                ? Secret.of(configured)
                : LocalJwtSecret.loadOrCreate(dataDir).secret();
        return new ChatServe(dataDir, process, secret);
    }

    /** {@code http://127.0.0.1:<port>}: the API's origin, where it also serves the chat page. */
    String origin() {
        return "http://127.0.0.1:" + process.port();
    }

    String output() {
        return process.output();
    }

    /** A token signed as the server verifies them (a user's, or {@code service_role}). */
    String token(UUID sub, String role) {
        return new TokenIssuer(secret, null).sign(sub, role, Duration.ofMinutes(30), Instant.now());
    }

    String adminToken() {
        return token(UUID.randomUUID(), CurrentUser.SERVICE_ROLE);
    }

    Response call(String method, String path, String token, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(origin() + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A model of the seeded {@code local} factory at {@code url}, at one point per 1,000 tokens (so a run holds points). */
    UUID addModel(String displayName, String url) {
        String admin = adminToken();
        String factory = null;
        for (JsonNode item :
                call("GET", "/v1/llm/factories", admin, null).json().path("items")) {
            if ("local".equals(item.path("name").asText())) {
                factory = item.path("id").asText();
            }
        }
        Response created = call(
                "POST", "/v1/admin/llm/models", admin, """
                {"factory_id":"%s","model_code":"browser-%s","display_name":"%s","request_url":"%s",
                 "input_price_per_1k":1,"output_price_per_1k":1,"context_tokens":8192}
                """.formatted(factory, UUID.randomUUID(), displayName, url));
        if (created.status() != 201) {
            throw new IllegalStateException("cannot add the test model: " + created.body());
        }
        return UUID.fromString(created.json().path("id").asText());
    }

    /**
     * Points the seeded MCP server registration {@code name} (e.g. {@code demo}, which the seed points at
     * the stand-in's default port) at {@code url}: a test's own stand-in MCP server, on a free port.
     */
    void pointMcpServer(String name, String url) {
        String admin = adminToken();
        String id = null;
        for (JsonNode item :
                call("GET", "/v1/admin/mcp-servers", admin, null).json().path("items")) {
            if (name.equals(item.path("name").asText())) {
                id = item.path("id").asText();
            }
        }
        if (id == null) {
            throw new IllegalStateException("no MCP server '" + name + "' is registered: " + output());
        }
        Response changed = call("PATCH", "/v1/admin/mcp-servers/" + id, admin, "{\"url\":\"" + url + "\"}");
        if (changed.status() != 200) {
            throw new IllegalStateException("cannot point MCP server '" + name + "' at " + url + ": " + changed.body());
        }
    }

    void grant(UUID owner, long amount) {
        Response granted = call(
                "POST",
                "/v1/admin/points/grants",
                adminToken(),
                "{\"owner_id\":\"" + owner + "\",\"amount\":" + amount + ",\"reason\":\"browser test\"}",
                "Idempotency-Key",
                UUID.randomUUID().toString());
        if (granted.status() != 201) {
            throw new IllegalStateException("cannot grant points: " + granted.body());
        }
    }

    /** Whether a preflight from {@code origin} is let in (ERYAO_SERVER__CORS_ORIGINS; issue 24 part 1). */
    boolean letsIn(String origin) {
        Response preflight = call(
                "OPTIONS",
                "/v1/agent/sessions",
                null,
                null,
                "Origin",
                origin,
                "Access-Control-Request-Method",
                "POST",
                "Access-Control-Request-Headers",
                "authorization,content-type");
        return preflight.status() / 100 == 2
                && origin.equals(preflight
                        .raw()
                        .headers()
                        .firstValue("Access-Control-Allow-Origin")
                        .orElse(null));
    }

    /**
     * Whether runs' streams take tickets (issue 24 part 2): the ticket POST on a run's events. Without
     * it the path only has its GET, which the server says with a 405; with it, an unknown run is a 404.
     */
    boolean hasStreamTickets() {
        String user = token(UUID.randomUUID(), CurrentUser.AUTHENTICATED);
        return call("POST", "/v1/agent/runs/" + UUID.randomUUID() + "/events", user, null)
                        .status()
                != 405;
    }

    /**
     * Whether sessions are conversations (issue 23: regenerate, edit, a session's runs): its runs
     * can then be listed, so a GET there is a 404 for an unknown session, not the 405 of a path that
     * only takes POST.
     */
    boolean hasConversations() {
        String user = token(UUID.randomUUID(), CurrentUser.AUTHENTICATED);
        return call("GET", "/v1/agent/sessions/" + UUID.randomUUID() + "/runs", user, null)
                        .status()
                != 405;
    }

    @Override
    public void close() {
        try {
            process.close();
        } finally {
            try (var files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            } catch (IOException ignored) {
                // a leftover temporary directory is harmless
            }
        }
    }
}
