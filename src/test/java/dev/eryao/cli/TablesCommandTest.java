package dev.eryao.cli;

import static dev.eryao.support.Cli.eryao;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eryao.support.Cli.Result;
import dev.eryao.support.ScratchDatabase;
import dev.eryao.support.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TablesCommandTest {
    private static final Map<String, String> SHARED = ScratchDatabase.variablesFor(
            TestDatabase.get().database().settings(),
            TestDatabase.get().database().settings().name());
    private static final Map<String, String> SCRATCH = ScratchDatabase.get().variables();

    @Test
    void tablesListsEveryTableOfTheSchemaWithRowLevelSecurityOn() {
        Result result = eryao(SHARED, "tables");

        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out().lines().limit(2))
                .containsExactly(
                        "schema | table                 | rows | rls", "-------+-----------------------+------+----");
        assertThat(result.out())
                .containsPattern("public \\| llm_factory +\\| ~\\d+ +\\| on\n")
                .containsPattern("public \\| points_ledger +\\| ~\\d+ +\\| on\n")
                .doesNotContain("OFF")
                .doesNotContain("WARNING");
    }

    @Test
    void aTableWithRowLevelSecurityOffIsFlagged() {
        Result result = eryao(SCRATCH, "tables");

        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out())
                .containsPattern("public \\| probe +\\| ~\\d+ +\\| OFF !\n")
                .containsPattern("public \\| guarded +\\| ~\\d+ +\\| on\n")
                .endsWith("\nWARNING: row level security is OFF on public.probe: enable it in a migration"
                        + " (ALTER TABLE ... ENABLE ROW LEVEL SECURITY)\n");
    }

    @Test
    void verboseAddsColumnsPrimaryKeyAndForeignKeys() {
        Result result = eryao(SHARED, "tables", "--verbose");

        assertThat(result.status()).as(result.err()).isZero();
        assertThat(result.out())
                .containsPattern("\npublic\\.llms  \\(~\\d+ rows, RLS on\\)\n")
                .containsPattern("\n  model_code +character varying\\(100\\) +not null\n")
                .containsPattern("\n  context_tokens +integer +null\n")
                .containsPattern("\n  id +uuid +not null +default gen_random_uuid\\(\\)\n")
                .contains("\n  primary key: id (pk_llms)\n")
                .contains("\n  foreign key fk_llms_factory_id: factory_id -> public.llm_factory (id)\n");
    }

    @Test
    void jsonGivesAgentsTheSameFacts() throws Exception {
        Result result = eryao(SCRATCH, "tables", "--json", "--verbose");

        JsonNode tables = new ObjectMapper().readTree(result.out());
        JsonNode probe = null;
        for (JsonNode table : tables) {
            if (table.get("name").asText().equals("probe")) {
                probe = table;
            }
        }
        assertThat(probe).isNotNull();
        assertThat(probe.get("schema").asText()).isEqualTo("public");
        assertThat(probe.get("rls_enabled").asBoolean()).isFalse();
        assertThat(probe.get("primary_key").toString()).isEqualTo("{\"name\":\"pk_probe\",\"columns\":[\"id\"]}");
        assertThat(probe.get("columns").get(1).toString())
                .isEqualTo("{\"name\":\"note\",\"type\":\"text\",\"nullable\":false}");
    }

    @Test
    void otherSchemasCanBeListedAndAnUnknownOneIsBadInput() {
        Result auth = eryao(SHARED, "tables", "--schema", "public", "--schema", "auth");
        Result unknown = eryao(SHARED, "tables", "--schema", "nope");

        assertThat(auth.status()).as(auth.err()).isZero();
        assertThat(unknown.status()).isEqualTo(Main.FAILED);
        assertThat(unknown.err().lines()).containsExactly("eryao: no schema named nope");
    }
}
