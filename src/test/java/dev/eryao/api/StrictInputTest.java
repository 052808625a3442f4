package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.support.TestApi;
import dev.eryao.support.TestApi.Response;
import dev.eryao.support.TestDatabase;
import dev.eryao.support.TestKeys;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Input read strictly, each refusal a 4xx problem naming what is wrong, never a 500 and never a
 * lenient reading: the JSON media type exactly, UUIDs only in canonical form, cursors and limits
 * within range, text PostgreSQL can store, an Idempotency-Key as sent.
 */
class StrictInputTest {
    private final TestApi api = TestApi.get();
    private final UUID owner = UUID.randomUUID();
    private final String token = api.userToken(owner);
    private final String admin = api.serviceToken(UUID.randomUUID());

    private static long count(String sql) throws SQLException {
        try (Connection connection = TestDatabase.get().connection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private long rowsOfOwner() throws SQLException {
        return count("SELECT (SELECT count(*) FROM agent_chat_session WHERE owner_id = '" + owner
                + "') + (SELECT count(*) FROM agent_chat_message WHERE owner_id = '" + owner
                + "') + (SELECT count(*) FROM agent_run WHERE owner_id = '" + owner
                + "') + (SELECT count(*) FROM points_ledger WHERE owner_id = '" + owner + "')");
    }

    private String session(String title) {
        Response created = api.call("POST", "/v1/agent/sessions", token, "{\"title\":\"" + title + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    private static void assertProblem(Response response, int status, String names, String why) {
        assertThat(response.status()).as(why + ": " + response).isEqualTo(status);
        assertThat(response.isProblem())
                .as(why + " is problem+json: " + response)
                .isTrue();
        assertThat(response.json().get("detail").asText()).as(why).containsIgnoringCase(names);
    }

    @Test
    void onlyTheJsonMediaTypeIsReadAsJson() throws SQLException {
        for (String type : List.of(
                "application/jsonx",
                "text/json",
                "application/json-patch+json",
                "application/x-json",
                "application/json; charset=iso-8859-1",
                "application/json;charset",
                "json")) {
            assertProblem(
                    api.call("POST", "/v1/agent/sessions", token, "{\"title\":\"x\"}", "Content-Type", type),
                    415,
                    "application/json",
                    type);
        }
        assertThat(rowsOfOwner()).as("nothing written by a refused media type").isZero();

        for (String type : List.of(
                "application/json",
                "APPLICATION/JSON",
                "application/json; charset=utf-8",
                "Application/Json;Charset=\"UTF-8\"")) {
            Response created = api.call("POST", "/v1/agent/sessions", token, "{\"title\":\"x\"}", "Content-Type", type);
            assertThat(created.status()).as(type + ": " + created).isEqualTo(201);
        }
    }

    /** The same id spelt another way Java's UUID.fromString would read: a digit made Arabic-Indic, a '+' sign. */
    @Test
    void pathIdsAreCanonicalUuidsOnly() throws SQLException {
        String id = session("kept");
        int digit = firstDigitAt(id);
        String arabicIndic =
                id.substring(0, digit) + (char) ('\u0660' + (id.charAt(digit) - '0')) + id.substring(digit + 1);
        List<String> aliases = List.of(
                arabicIndic,
                "+0000001-0001-0001-0001-000000000001",
                "1-1-1-1-1",
                id + "0",
                id.replace("-", ""),
                "{" + id + "}");
        for (String alias : aliases) {
            String path = "/v1/agent/sessions/" + java.net.URLEncoder.encode(alias, StandardCharsets.UTF_8);
            assertProblem(api.get(path, token), 400, "UUID", "GET " + alias);
            assertProblem(api.call("DELETE", path, token, null), 400, "UUID", "DELETE " + alias);
            assertProblem(api.call("PATCH", path, token, "{\"title\":\"renamed\"}"), 400, "UUID", "PATCH " + alias);
        }
        assertThat(api.get("/v1/agent/sessions/" + id.toUpperCase(java.util.Locale.ROOT), token)
                        .status())
                .as("upper-case hex is canonical too")
                .isEqualTo(200);
        assertThat(count("SELECT count(*) FROM agent_chat_session WHERE id = '" + id
                        + "' AND title = 'kept' AND deleted_at IS NULL"))
                .isEqualTo(1);
    }

    private static int firstDigitAt(String id) {
        for (int i = 0; i < id.length(); i++) {
            if (Character.isDigit(id.charAt(i))) {
                return i;
            }
        }
        throw new IllegalStateException("a random UUID with no digit: " + id);
    }

    @Test
    void bodyIdsAreCanonicalUuidsAndTheNilUuidIsNoOwner() throws SQLException {
        byte[] bytes = java.nio.ByteBuffer.allocate(16)
                .putLong(owner.getMostSignificantBits())
                .putLong(owner.getLeastSignificantBits())
                .array();
        String base64 = Base64.getEncoder().encodeToString(bytes);
        Map<String, String> grants = new LinkedHashMap<>();
        grants.put("base64 owner_id", "{\"owner_id\":\"" + base64 + "\",\"amount\":5,\"reason\":\"r\"}");
        grants.put("short owner_id", "{\"owner_id\":\"1-1-1-1-1\",\"amount\":5,\"reason\":\"r\"}");
        grants.put(
                "nil owner_id",
                "{\"owner_id\":\"00000000-0000-0000-0000-000000000000\",\"amount\":5,\"reason\":\"r\"}");
        for (Map.Entry<String, String> c : grants.entrySet()) {
            Response response = api.grant(admin, c.getValue());
            assertThat(response.status()).as(c.getKey() + ": " + response).isBetween(400, 422);
            assertThat(response.json().get("errors").has("owner_id"))
                    .as(c.getKey() + ": " + response)
                    .isTrue();
        }
        assertProblem(
                api.call("POST", "/v1/agent/sessions", token, "{\"title\":\"x\",\"llm_id\":\"1-1-1-1-1\"}"),
                400,
                "llm_id",
                "short llm_id");
        assertProblem(api.call("POST", "/v1/admin/llm/models", admin, """
                {"factory_id":"1-1-1-1-1","model_code":"m","display_name":"M","request_url":"https://x.example",
                 "input_price_per_1k":1,"output_price_per_1k":1}"""), 400, "factory_id", "short factory_id");
        assertThat(rowsOfOwner()).isZero();
        assertThat(count("SELECT count(*) FROM points_ledger WHERE owner_id = '00000000-0000-0000-0000-000000000000'"))
                .isZero();
    }

    @Test
    void aTokenWhoseSubIsNotACanonicalNonNilUuidIsRefused() {
        TestKeys keys = api.keys();
        for (String sub : List.of(
                "1-1-1-1-1",
                "00000000-0000-0000-0000-000000000000",
                "+0000001-0001-0001-0001-000000000001",
                owner.toString().replace("-", ""),
                " " + owner)) {
            String token = keys.es256(
                    TestKeys.claims(owner, "authenticated").subject(sub).build());
            assertProblem(api.get("/v1/points/balance", token), 401, "sub", "sub '" + sub + "'");
        }
    }

    private static String cursor(String plain) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void cursorsOutsideWhatARowCanHoldAreBadRequests() {
        String session = session("paged");
        String anyId = UUID.randomUUID().toString();
        List<String> lists =
                List.of("/v1/agent/sessions", "/v1/agent/sessions/" + session + "/messages", "/v1/points/ledger");
        List<String> bad = List.of(
                cursor("99999999999999.0." + anyId), // year 3170843: beyond PostgreSQL's timestamptz
                cursor("-999999999999.0." + anyId), // 29720 BC: before it
                cursor(Long.MAX_VALUE + ".0." + anyId),
                cursor("1700000000.-1." + anyId),
                cursor("1700000000.1000000000." + anyId),
                cursor("1700000000.0.1-1-1-1-1"),
                cursor("1700000000.0"),
                "not base64 !");
        for (String list : lists) {
            for (String c : bad) {
                Response response =
                        api.get(list + "?cursor=" + java.net.URLEncoder.encode(c, StandardCharsets.UTF_8), token);
                assertProblem(response, 400, "cursor", list + " cursor " + c);
            }
            // The edges of the range are still valid positions (an empty page, not an error).
            for (String edge :
                    List.of(cursor("-210866803200.0." + anyId), cursor("9224318015999.999999000." + anyId))) {
                Response response = api.get(list + "?cursor=" + edge, token);
                assertThat(response.status())
                        .as(list + " edge cursor: " + response)
                        .isEqualTo(200);
            }
        }
    }

    @Test
    void limitsAreWholeNumbersInRange() {
        for (String limit : List.of("0", "101", "-1", "+5", " 5", "5.0", "1e1", "99999999999999999999", "", "five")) {
            Response response = api.get(
                    "/v1/agent/sessions?limit=" + java.net.URLEncoder.encode(limit, StandardCharsets.UTF_8), token);
            assertProblem(response, 400, "limit", "limit '" + limit + "'");
        }
        assertThat(api.get("/v1/agent/sessions?limit=100", token).status()).isEqualTo(200);
    }

    @Test
    void numbersOutOfTheirTypesRangeAreBadRequests() {
        String owner = this.owner.toString();
        for (String amount :
                List.of("9223372036854775808", "-9223372036854775809", "1e400", "123456789012345678901234567890")) {
            Response response =
                    api.grant(admin, "{\"owner_id\":\"" + owner + "\",\"amount\":" + amount + ",\"reason\":\"r\"}");
            assertThat(response.status()).as(amount + ": " + response).isBetween(400, 422);
            assertThat(response.isProblem()).isTrue();
        }
        Response tokens = api.call("POST", "/v1/admin/llm/models", admin, """
                {"factory_id":"%s","model_code":"m","display_name":"M","request_url":"https://x.example",
                 "input_price_per_1k":1,"output_price_per_1k":1,"context_tokens":99999999999}""".formatted(UUID.randomUUID()));
        assertThat(tokens.status()).as(tokens.toString()).isBetween(400, 422);
    }

    @Test
    void aGrantThatWouldOverflowTheBalanceIsRefusedAndChangesNothing() throws SQLException {
        String grant = "{\"owner_id\":\"" + owner + "\",\"amount\":%d,\"reason\":\"r\"}";
        Response first = api.grant(admin, grant.formatted(Long.MAX_VALUE));
        assertThat(first.status()).as(first.toString()).isEqualTo(201);

        Response overflow = api.grant(admin, grant.formatted(1L));

        assertProblem(overflow, 422, "balance past the largest", "a second grant past 2^63-1");
        assertThat(count("SELECT balance FROM points_balance WHERE owner_id = '" + owner + "'"))
                .isEqualTo(Long.MAX_VALUE);
        assertThat(count("SELECT count(*) FROM points_ledger WHERE owner_id = '" + owner + "'"))
                .isEqualTo(1);
    }

    /** U+0000 cannot be stored in a PostgreSQL text column: a 422 naming the field, not a failed insert. */
    @Test
    void textThatPostgresqlCannotStoreIsRefusedNamingTheField() throws SQLException {
        String session = session("kept");
        String factory = api.call(
                        "POST", "/v1/admin/llm/factories", admin, "{\"name\":\"nul-" + UUID.randomUUID() + "\"}")
                .json()
                .get("id")
                .asText();
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("title", new String[] {"POST", "/v1/agent/sessions", "{\"title\":\"a\\u0000b\"}"});
        cases.put("renamed title", new String[] {"PATCH", "/v1/agent/sessions/" + session, "{\"title\":\"\\u0000\"}"});
        cases.put(
                "input", new String[] {"POST", "/v1/agent/sessions/" + session + "/runs", "{\"input\":\"hi\\u0000\"}"});
        cases.put("lone surrogate", new String[] {"POST", "/v1/agent/sessions", "{\"title\":\"a\\ud800b\"}"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            String[] request = c.getValue();
            Response response = api.call(request[0], request[1], token, request[2]);
            String field = c.getKey().contains("input") ? "input" : "title";
            assertThat(response.status()).as(c.getKey() + ": " + response).isEqualTo(422);
            assertThat(response.json().get("errors").has(field))
                    .as(c.getKey() + ": " + response)
                    .isTrue();
        }
        Map<String, String[]> adminCases = new LinkedHashMap<>();
        adminCases.put("reason", new String[] {
            "POST", "/v1/admin/points/grants", "{\"owner_id\":\"" + owner + "\",\"amount\":5,\"reason\":\"r\\u0000\"}"
        });
        adminCases.put("name", new String[] {"POST", "/v1/admin/llm/factories", "{\"name\":\"f\\u0000\"}"});
        adminCases.put("model_code", new String[] {"POST", "/v1/admin/llm/models", """
                {"factory_id":"%s","model_code":"m\\u0000","display_name":"M","request_url":"https://x.example",
                 "input_price_per_1k":1,"output_price_per_1k":1}""".formatted(factory)});
        adminCases.put(
                "display_name",
                new String[] {"POST", "/v1/admin/llm/models", """
                {"factory_id":"%s","model_code":"m-%s","display_name":"\\u0000","request_url":"https://x.example",
                 "input_price_per_1k":1,"output_price_per_1k":1}""".formatted(factory, UUID.randomUUID())});
        adminCases.put(
                "request_url",
                new String[] {"POST", "/v1/admin/llm/models", """
                {"factory_id":"%s","model_code":"m-%s","display_name":"M","request_url":"https://x.example/\\u0000",
                 "input_price_per_1k":1,"output_price_per_1k":1}""".formatted(factory, UUID.randomUUID())});
        for (Map.Entry<String, String[]> c : adminCases.entrySet()) {
            String[] request = c.getValue();
            Response response = api.call(
                    request[0],
                    request[1],
                    admin,
                    request[2],
                    "Idempotency-Key",
                    UUID.randomUUID().toString());
            assertThat(response.status()).as(c.getKey() + ": " + response).isEqualTo(422);
            assertThat(response.json().get("errors").has(c.getKey()))
                    .as(c.getKey() + ": " + response)
                    .isTrue();
        }
        assertThat(rowsOfOwner()).as("only the session made first").isEqualTo(1);
        assertThat(count("SELECT count(*) FROM llms WHERE factory_id = '" + factory + "'"))
                .isZero();
        assertThat(api.get("/v1/agent/sessions/" + session, token)
                        .json()
                        .get("title")
                        .asText())
                .isEqualTo("kept");
    }

    /** An Idempotency-Key is compared as sent: it must have one spelling (visible ASCII, 1 to 200 characters). */
    @Test
    void idempotencyKeysAreVisibleAsciiOfBoundedLength() throws SQLException {
        String grant = "{\"owner_id\":\"" + owner + "\",\"amount\":5,\"reason\":\"r\"}";
        for (String key : List.of("a b", "", "x".repeat(201), "tab\there")) {
            Response response = api.call("POST", "/v1/admin/points/grants", admin, grant, "Idempotency-Key", key);
            assertThat(response.status()).as("key '" + key + "': " + response).isEqualTo(422);
            assertThat(response.json().get("errors").has("Idempotency-Key"))
                    .as(response.toString())
                    .isTrue();
        }
        // A byte beyond ASCII, sent raw (an HTTP client library may not send it as it is).
        try (java.net.Socket socket =
                new java.net.Socket("127.0.0.1", api.server().port())) {
            socket.setSoTimeout(30_000);
            byte[] head = ("POST /v1/admin/points/grants HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + admin
                            + "\r\nContent-Type: application/json\r\nContent-Length: " + grant.length()
                            + "\r\nConnection: close\r\nIdempotency-Key: caf\u00e9\r\n\r\n" + grant)
                    .getBytes(StandardCharsets.ISO_8859_1);
            socket.getOutputStream().write(head);
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).as("a non-ASCII key").startsWith("HTTP/1.1 422 ").contains("Idempotency-Key");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String session = session("runs");
        Response run = api.call(
                "POST",
                "/v1/agent/sessions/" + session + "/runs",
                token,
                "{\"input\":\"hi\"}",
                "Idempotency-Key",
                "a b");
        assertThat(run.status()).as(run.toString()).isEqualTo(422);
        assertThat(run.json().get("errors").has("Idempotency-Key"))
                .as(run.toString())
                .isTrue();
        assertThat(rowsOfOwner()).as("only the session").isEqualTo(1);

        String longest = "k".repeat(200);
        assertThat(api.call("POST", "/v1/admin/points/grants", admin, grant, "Idempotency-Key", longest)
                        .status())
                .isEqualTo(201);
        assertThat(api.call("POST", "/v1/admin/points/grants", admin, grant, "Idempotency-Key", "K".repeat(200))
                        .status())
                .as("keys differing in case are different keys")
                .isEqualTo(201);
        assertThat(api.call("POST", "/v1/admin/points/grants", admin, grant, "Idempotency-Key", longest)
                        .status())
                .as("the same key is a replay")
                .isEqualTo(201);
        assertThat(count("SELECT count(*) FROM points_ledger WHERE owner_id = '" + owner + "'"))
                .isEqualTo(2);
    }
}
