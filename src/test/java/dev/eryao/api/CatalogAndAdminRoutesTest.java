package dev.eryao.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eryao.support.TestApi;
import dev.eryao.support.TestApi.Response;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CatalogAndAdminRoutesTest {
    private final TestApi api = TestApi.get();
    private final String admin = api.serviceToken(UUID.randomUUID());
    private final UUID user = UUID.randomUUID();
    private final String userToken = api.userToken(user);
    private final String unique = UUID.randomUUID().toString().substring(0, 8);

    private String factory() {
        Response created = api.call("POST", "/v1/admin/llm/factories", admin, "{\"name\":\"factory-" + unique + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    private Response model(String factory, String code) {
        return api.call("POST", "/v1/admin/llm/models", admin, """
                {"factory_id":"%s","model_code":"%s","display_name":"Model %s",
                 "request_url":"https://llm.example/v1/chat/completions",
                 "input_price_per_1k":0.5,"output_price_per_1k":1.25,"context_tokens":128000}
                """.formatted(factory, code, code));
    }

    /** A grant's body built from its parts (never by editing a body's text: the owner's id could change with it). */
    private String grantOf(long amount, String reason) {
        return "{\"owner_id\":\"" + user + "\",\"amount\":" + amount + ",\"reason\":\"" + reason + "\"}";
    }

    private static boolean lists(JsonNode items, String id) {
        for (JsonNode item : items) {
            if (item.get("id").asText().equals(id)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void anAdminAddsChangesAndDeletesModelsAndUsersSeeTheActiveCatalog() {
        String factory = factory();
        Response created = model(factory, "m-" + unique);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("id").asText();
        assertThat(created.json().get("input_price_per_1k").decimalValue()).isEqualByComparingTo("0.5");

        assertThat(lists(api.get("/v1/llm/factories", userToken).json().get("items"), factory))
                .isTrue();
        assertThat(lists(api.get("/v1/llm/models", userToken).json().get("items"), id))
                .isTrue();

        Response changed = api.call(
                "PATCH", "/v1/admin/llm/models/" + id, admin, "{\"display_name\":\"Renamed\",\"is_active\":false}");
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().get("display_name").asText()).isEqualTo("Renamed");
        assertThat(lists(api.get("/v1/llm/models", userToken).json().get("items"), id))
                .as("inactive")
                .isFalse();

        assertThat(api.call("DELETE", "/v1/admin/llm/factories/" + factory, admin, null)
                        .status())
                .as("a factory with models is not deleted")
                .isEqualTo(409);
        assertThat(api.call("DELETE", "/v1/admin/llm/models/" + id, admin, null).status())
                .isEqualTo(204);
        assertThat(api.call("PATCH", "/v1/admin/llm/models/" + id, admin, "{\"display_name\":\"x\"}")
                        .status())
                .isEqualTo(404);

        Response renamed =
                api.call("PATCH", "/v1/admin/llm/factories/" + factory, admin, "{\"name\":\"renamed-" + unique + "\"}");
        assertThat(renamed.json().get("name").asText()).isEqualTo("renamed-" + unique);
        assertThat(api.call("DELETE", "/v1/admin/llm/factories/" + factory, admin, null)
                        .status())
                .isEqualTo(204);
        assertThat(lists(api.get("/v1/llm/factories", userToken).json().get("items"), factory))
                .isFalse();
    }

    @Test
    void duplicateNamesAreConflictsAndAMissingFactoryIsAFieldError() {
        String factory = factory();
        assertThat(api.call("POST", "/v1/admin/llm/factories", admin, "{\"name\":\"factory-" + unique + "\"}")
                        .status())
                .isEqualTo(409);
        assertThat(model(factory, "dup-" + unique).status()).isEqualTo(201);
        assertThat(model(factory, "dup-" + unique).status()).isEqualTo(409);

        Response orphan = model(UUID.randomUUID().toString(), "x");
        assertThat(orphan.status()).isEqualTo(422);
        assertThat(orphan.json().get("errors").has("factory_id")).isTrue();
    }

    @Test
    void pointsGrantsMoveTheBalanceOnceperKeyAndShowInTheLedger() {
        String body = "{\"owner_id\":\"" + user + "\",\"amount\":25,\"reason\":\"welcome\"}";
        Response first = api.call("POST", "/v1/admin/points/grants", admin, body, "Idempotency-Key", "g-" + unique);
        Response again = api.call("POST", "/v1/admin/points/grants", admin, body, "Idempotency-Key", "g-" + unique);

        assertThat(first.status()).isEqualTo(201);
        assertThat(again.json().get("id")).isEqualTo(first.json().get("id"));
        JsonNode balance = api.get("/v1/points/balance", userToken).json();
        assertThat(balance.get("owner_id").asText()).isEqualTo(user.toString());
        assertThat(balance.get("balance").asLong()).isEqualTo(25);
        JsonNode ledger = api.get("/v1/points/ledger?limit=10", userToken).json();
        assertThat(ledger.get("items")).hasSize(1);
        assertThat(ledger.get("items").get(0).get("reason").asText()).isEqualTo("welcome");
    }

    @Test
    void aGrantWithoutAnIdempotencyKeyIsPreconditionRequiredAndGrantsNothing() {
        String body = "{\"owner_id\":\"" + user + "\",\"amount\":100,\"reason\":\"no key\"}";

        Response refused = api.call("POST", "/v1/admin/points/grants", admin, body);
        Response again = api.call("POST", "/v1/admin/points/grants", admin, body);

        for (Response response : new Response[] {refused, again}) {
            assertThat(response.status()).as(response.toString()).isEqualTo(428);
            assertThat(response.isProblem()).as(response.toString()).isTrue();
            assertThat(response.json().get("title").asText()).isEqualTo("Precondition Required");
            assertThat(response.json().get("detail").asText())
                    .contains("Idempotency-Key")
                    .contains("safe to repeat");
            assertThat(response.json().get("errors").has("Idempotency-Key"))
                    .as(response.toString())
                    .isTrue();
        }
        assertThat(api.get("/v1/points/balance", userToken)
                        .json()
                        .get("balance")
                        .asLong())
                .isZero();
        assertThat(api.get("/v1/points/ledger?limit=10", userToken).json().get("items"))
                .isEmpty();
    }

    @Test
    void aGrantSentTwiceWithOneKeyIsGrantedOnceAndTheKeyCannotBeReusedForAnotherGrant() {
        String body = grantOf(100, "retried");
        Response first = api.call("POST", "/v1/admin/points/grants", admin, body, "Idempotency-Key", "retry-" + unique);
        Response retried =
                api.call("POST", "/v1/admin/points/grants", admin, body, "Idempotency-Key", "retry-" + unique);
        Response otherBody = api.call(
                "POST",
                "/v1/admin/points/grants",
                admin,
                grantOf(200, "retried"),
                "Idempotency-Key",
                "retry-" + unique);

        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        assertThat(retried.status()).as(retried.toString()).isEqualTo(201);
        assertThat(retried.json().get("id")).isEqualTo(first.json().get("id"));
        assertThat(otherBody.status()).as(otherBody.toString()).isEqualTo(422);
        assertThat(api.get("/v1/points/balance", userToken)
                        .json()
                        .get("balance")
                        .asLong())
                .isEqualTo(100);
        assertThat(api.get("/v1/points/ledger?limit=10", userToken).json().get("items"))
                .hasSize(1);
    }

    @Test
    void theOpenApiDocumentSaysAGrantRequiresAnIdempotencyKey() {
        JsonNode parameters =
                api.get("/openapi.json", null).json().at("/paths/~1v1~1admin~1points~1grants/post/parameters");
        JsonNode key = null;
        for (JsonNode parameter : parameters) {
            if (parameter.get("name").asText().equals("Idempotency-Key")) {
                key = parameter;
            }
        }
        assertThat(key).as(parameters.toString()).isNotNull();
        assertThat(key.get("in").asText()).isEqualTo("header");
        assertThat(key.get("required").asBoolean()).isTrue();
        assertThat(key.get("description").asText()).contains("428").contains("safe to repeat");
    }

    @Test
    void adminRoutesAreForbiddenToOrdinaryUsers() {
        String factoryBody = "{\"name\":\"nope-" + unique + "\"}";
        String id = UUID.randomUUID().toString();
        for (Response response : new Response[] {
            api.call(
                    "POST",
                    "/v1/admin/points/grants",
                    userToken,
                    "{\"owner_id\":\"" + user + "\",\"amount\":1000,\"reason\":\"self\"}"),
            api.call("POST", "/v1/admin/llm/factories", userToken, factoryBody),
            api.call("PATCH", "/v1/admin/llm/factories/" + id, userToken, factoryBody),
            api.call("DELETE", "/v1/admin/llm/factories/" + id, userToken, null),
            api.call("POST", "/v1/admin/llm/models", userToken, "{}"),
            api.call("PATCH", "/v1/admin/llm/models/" + id, userToken, "{}"),
            api.call("DELETE", "/v1/admin/llm/models/" + id, userToken, null)
        }) {
            assertThat(response.status()).as(response.toString()).isEqualTo(403);
            assertThat(response.isProblem()).isTrue();
        }
        assertThat(api.get("/v1/points/balance", userToken)
                        .json()
                        .get("balance")
                        .asLong())
                .isZero();
    }
}
