package dev.eryao.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.Advisor.Finding;
import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Supabase's advisor, as {@link Advisor} reads it: nothing to report at head, and each kind caught. */
class AdvisorTest {

    /** One offending object per lint, made in a scratch database of its own. */
    private static final String OFFENDERS = """
            CREATE TABLE adv_no_rls (id int PRIMARY KEY);

            CREATE TABLE adv_policy_without_rls (id int PRIMARY KEY);
            CREATE POLICY adv_policy_without_rls_read ON adv_policy_without_rls FOR SELECT TO authenticated USING (true);

            CREATE TABLE adv_per_row (id int PRIMARY KEY, owner_id uuid NOT NULL);
            ALTER TABLE adv_per_row ENABLE ROW LEVEL SECURITY;
            CREATE POLICY adv_per_row_owner ON adv_per_row FOR SELECT TO authenticated USING (owner_id = auth.uid());
            CREATE POLICY adv_per_row_setting ON adv_per_row FOR DELETE TO authenticated
                USING (current_setting('request.jwt.claims', true) IS NOT NULL);
            CREATE POLICY adv_per_row_wrapped ON adv_per_row FOR UPDATE TO authenticated
                USING (owner_id = (SELECT auth.uid()));

            CREATE FUNCTION adv_mutable() RETURNS int LANGUAGE sql AS 'SELECT 1';
            CREATE FUNCTION adv_definer() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = '' AS 'SELECT 1';
            CREATE VIEW adv_view AS SELECT 1 AS one;

            CREATE TABLE adv_child (id int PRIMARY KEY, llm_id uuid REFERENCES llms (id));
            ALTER TABLE adv_child ENABLE ROW LEVEL SECURITY;
            CREATE INDEX adv_child_twice_a ON adv_child (id, llm_id);
            CREATE INDEX adv_child_twice_b ON adv_child (id, llm_id);

            CREATE TABLE adv_two_policies (id int PRIMARY KEY);
            ALTER TABLE adv_two_policies ENABLE ROW LEVEL SECURITY;
            CREATE POLICY adv_two_policies_a ON adv_two_policies FOR SELECT TO anon USING (true);
            CREATE POLICY adv_two_policies_b ON adv_two_policies FOR ALL TO anon USING (id > 0);

            CREATE TABLE adv_no_pk (x int);
            ALTER TABLE adv_no_pk ENABLE ROW LEVEL SECURITY;

            CREATE EXTENSION citext SCHEMA public;
            """;

    @Test
    void aFreshlyMigratedDatabaseHasNothingToReport() throws SQLException {
        try (Database database = TestDatabase.get().freshMigratedDatabase();
                Connection connection = database.dataSource().getConnection()) {
            assertThat(Advisor.findings(connection)).isEmpty();
        }
    }

    @Test
    void theSixWarningsSupabaseGaveBeforeRevision20261125_0003AreTheOnesFound() throws SQLException {
        try (Database database = TestDatabase.get().freshDatabase()) {
            new Migrations(database, line -> {}).migrate("20261124_0004");
            try (Connection connection = database.dataSource().getConnection()) {
                assertThat(Advisor.findings(connection))
                        .extracting(f -> f.lint() + " " + f.object())
                        .containsExactlyInAnyOrder(
                                "auth_rls_initplan policy agent_chat_session_owner_read on public.agent_chat_session",
                                "auth_rls_initplan policy agent_chat_message_owner_read on public.agent_chat_message",
                                "auth_rls_initplan policy agent_run_owner_read on public.agent_run",
                                "auth_rls_initplan policy points_ledger_owner_read on public.points_ledger",
                                "auth_rls_initplan policy points_balance_owner_read on public.points_balance",
                                "function_search_path_mutable function public.points_ledger_refuse_change()",
                                "unindexed_foreign_keys foreign key fk_agent_chat_session_llm_id on public.agent_chat_session",
                                "unindexed_foreign_keys foreign key fk_agent_run_llm_id on public.agent_run");
            }
        }
    }

    @Test
    void eachKindOfOffenceIsReportedWithItsObjectAndFix() throws SQLException {
        try (Database database = TestDatabase.get().freshMigratedDatabase();
                Connection connection = database.dataSource().getConnection()) {
            connection.setAutoCommit(true);
            try (Statement sql = connection.createStatement()) {
                sql.execute(OFFENDERS);
            }
            List<Finding> findings = Advisor.findings(connection);
            List<String> reported =
                    findings.stream().map(f -> f.lint() + " " + f.object()).toList();

            assertThat(reported)
                    .contains(
                            "rls_disabled_in_public table public.adv_no_rls",
                            "policy_exists_rls_disabled table public.adv_policy_without_rls",
                            "auth_rls_initplan policy adv_per_row_owner on public.adv_per_row",
                            "auth_rls_initplan policy adv_per_row_setting on public.adv_per_row",
                            "function_search_path_mutable function public.adv_mutable()",
                            "security_definer_function_executable function public.adv_definer() (executable by anon)",
                            "security_definer_function_executable function public.adv_definer() (executable by authenticated)",
                            "security_definer_view view public.adv_view",
                            "unindexed_foreign_keys foreign key adv_child_llm_id_fkey on public.adv_child",
                            "duplicate_index indexes adv_child_twice_a, adv_child_twice_b on public.adv_child",
                            "multiple_permissive_policies table public.adv_two_policies for anon SELECT"
                                    + " (adv_two_policies_a, adv_two_policies_b)",
                            "no_primary_key table public.adv_no_pk",
                            "extension_in_public extension citext");
            assertThat(reported)
                    .as("a wrapped call is evaluated once per statement")
                    .noneMatch(line -> line.contains("adv_per_row_wrapped"));
            assertThat(reported)
                    .as("only the offenders: the schema itself stays clean")
                    .allMatch(line -> line.contains("adv_") || line.contains("citext"));
            assertThat(findings)
                    .filteredOn(f -> f.lint().equals("unindexed_foreign_keys"))
                    .singleElement()
                    .extracting(Finding::fix)
                    .isEqualTo("CREATE INDEX ix_adv_child_llm_id ON adv_child (llm_id)");
            assertThat(findings)
                    .filteredOn(f -> f.lint().equals("rls_disabled_in_public"))
                    .extracting(Finding::fix)
                    .contains("ALTER TABLE public.adv_no_rls ENABLE ROW LEVEL SECURITY");
        }
    }
}
