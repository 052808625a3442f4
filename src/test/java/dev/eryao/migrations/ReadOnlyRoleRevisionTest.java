package dev.eryao.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.core.db.Database;
import dev.eryao.support.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Revision 20261124_0002: the reader role the data-viewing tools log in as, and its downgrade; and
 * revision 20261125_0002, which takes from it what a rollback does not undo and bounds its queries;
 * and revision 20261201_0001, which takes from it the functions that assign a transaction id.
 */
class ReadOnlyRoleRevisionTest {
    private static final String FILE = "V20261124_0002__read_only_role.sql";
    private static final String LIMITS = "V20261125_0002__reader_limits.sql";
    private static final String NO_XID = "V20261201_0001__reader_no_xid.sql";

    private static String one(Connection connection, String query) throws SQLException {
        try (Statement sql = connection.createStatement();
                ResultSet row = sql.executeQuery(query)) {
            row.next();
            return row.getString(1);
        }
    }

    @Test
    void theReaderCanLogInAndReadEveryTableButIsNoSuperuserAndBelongsToNoRole() throws SQLException {
        try (Connection connection = TestDatabase.get().connection()) {
            assertThat(one(connection, """
                    SELECT concat_ws(' ', rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolreplication,
                                     rolconfig::text)
                    FROM pg_roles WHERE rolname = 'eryao_reader'""")).isEqualTo("t f f f f {default_transaction_read_only=on}");
            // BYPASSRLS where the migrating login could grant it; else (Supabase's postgres on
            // PostgreSQL 15) a SELECT policy of its own on every table with RLS (20261125_0004).
            assertThat(one(connection, """
                    SELECT CASE WHEN (SELECT rolbypassrls FROM pg_roles WHERE rolname = 'eryao_reader') THEN 'bypasses RLS'
                           ELSE coalesce(string_agg(c.relname, ',' ORDER BY c.relname), 'reads through policies') END
                    FROM pg_class c
                    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relrowsecurity
                      AND c.relname <> 'flyway_schema_history'
                      AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polcmd IN ('r', '*')
                                      AND 'eryao_reader'::regrole = ANY (p.polroles))""")).isIn("bypasses RLS", "reads through policies");
            // Only a superuser may set temp_file_limit: as Supabase's postgres the revision sets
            // work_mem alone (and the tools refuse to run: ToolsOnSupabaseTest).
            assertThat(roleSettings(connection))
                    .as("revision 20261125_0002, in this database")
                    .isEqualTo(
                            TestDatabase.get().supabaseLayout()
                                    ? "{work_mem=16MB}"
                                    : "{temp_file_limit=256MB,work_mem=16MB}");
            assertThat(one(connection, "SELECT count(*) FROM pg_auth_members WHERE member = 'eryao_reader'::regrole"))
                    .isEqualTo("0");
            assertThat(one(connection, """
                    SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_class c
                    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                      AND NOT has_table_privilege('eryao_reader', c.oid, 'SELECT')""")).isNull();
            assertThat(one(connection, """
                    SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_class c
                    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                      AND has_table_privilege('eryao_reader', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')""")).isNull();
        }
    }

    @Test
    void theDowngradeTakesBackEverythingTheUpgradeGrantedAndTheUpgradeRunsAgain() throws Exception {
        // Left behind like every fresh database (the server lives in a temporary directory): dropping it
        // WITH (FORCE) as Supabase's non-superuser postgres fails on PostgreSQL 15 whenever an
        // autovacuum worker happens to be in it (the worker's role is none postgres is a member of).
        try (Database database = TestDatabase.get().freshDatabase()) {
            new Migrations(database, line -> {}).migrate();
            try (Connection connection = database.dataSource().getConnection();
                    Statement sql = connection.createStatement()) {
                connection.setAutoCommit(true);
                String granted = privileges(connection);

                sql.execute(script("db/downgrade/" + FILE));
                String afterDowngrade = privileges(connection);
                sql.execute(script("db/migration/" + FILE));

                assertThat(granted).isEqualTo("connect true, usage true, select on llms true, default acl 1");
                assertThat(afterDowngrade)
                        .as("the role stays: the suite's own database still grants it")
                        .isEqualTo("connect false, usage false, select on llms false, default acl 0");
                assertThat(privileges(connection)).isEqualTo(granted);
            }
        }
    }

    @Test
    void theLimitsRevisionTakesTheFunctionsFromPublicAndItsDowngradeGivesThemBack() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(
                TestDatabase.get().supabaseLayout(),
                "only a superuser can revoke pg_catalog functions; on Supabase's layout the revision only warns");
        try (Database database = TestDatabase.get().freshDatabase()) {
            new Migrations(database, line -> {}).migrate();
            try (Connection connection = database.dataSource().getConnection();
                    Statement sql = connection.createStatement()) {
                connection.setAutoCommit(true);
                String revoked = callable(connection);
                String roleAfterUpgrade = roleSettings(connection);

                sql.execute(script("db/downgrade/" + LIMITS));
                String afterDowngrade = callable(connection);
                String roleAfterDowngrade = roleSettings(connection);
                sql.execute(script("db/migration/" + LIMITS));

                assertThat(revoked).isEqualTo("reader 0, public 0, xact locks 4 of 4");
                assertThat(roleAfterUpgrade).isEqualTo("{temp_file_limit=256MB,work_mem=16MB}");
                assertThat(afterDowngrade)
                        .startsWith("reader ")
                        .doesNotStartWith("reader 0,")
                        .contains("xact locks 4 of 4");
                assertThat(roleAfterDowngrade).isNull();
                assertThat(callable(connection)).isEqualTo(revoked);
                assertThat(roleSettings(connection)).isEqualTo(roleAfterUpgrade);
            }
        }
    }

    @Test
    void theNoXidRevisionTakesTheIdAssigningFunctionsFromPublicAndItsDowngradeGivesThemBack() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(
                TestDatabase.get().supabaseLayout(),
                "only a superuser can revoke pg_catalog functions; on Supabase's layout the revision only warns");
        try (Database database = TestDatabase.get().freshDatabase()) {
            new Migrations(database, line -> {}).migrate();
            try (Connection connection = database.dataSource().getConnection();
                    Statement sql = connection.createStatement()) {
                connection.setAutoCommit(true);
                String revoked = idFunctions(connection);

                sql.execute(script("db/downgrade/" + NO_XID));
                String afterDowngrade = idFunctions(connection);
                sql.execute(script("db/migration/" + NO_XID));

                assertThat(revoked).isEqualTo("reader 0, public 0, if assigned 2 of 2");
                assertThat(afterDowngrade).isEqualTo("reader 2, public 2, if assigned 2 of 2");
                assertThat(idFunctions(connection)).isEqualTo(revoked);
            }
        }
    }

    /**
     * How many of the functions that assign a transaction id the reader and PUBLIC may call in this
     * database, and how many of their forms that only report one the reader keeps.
     */
    private static String idFunctions(Connection connection) throws SQLException {
        return one(connection, """
                SELECT 'reader ' || count(*) FILTER (WHERE has_function_privilege('eryao_reader', p.oid, 'EXECUTE'))
                    || ', public ' || count(*) FILTER (WHERE EXISTS (
                           SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a WHERE a.grantee = 0))
                    || ', if assigned ' || (SELECT count(*) FILTER (WHERE has_function_privilege('eryao_reader', x.oid, 'EXECUTE'))
                                            || ' of ' || count(*) FROM pg_proc x
                                            WHERE x.proname IN ('txid_current_if_assigned', 'pg_current_xact_id_if_assigned'))
                FROM pg_proc p
                WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname IN ('txid_current', 'pg_current_xact_id')""");
    }

    /**
     * How many of the functions a rollback does not undo the reader and PUBLIC may call in this
     * database, and how many of the transaction-level advisory locks the reader keeps.
     */
    private static String callable(Connection connection) throws SQLException {
        return one(connection, """
                SELECT 'reader ' || count(*) FILTER (WHERE has_function_privilege('eryao_reader', p.oid, 'EXECUTE'))
                    || ', public ' || count(*) FILTER (WHERE EXISTS (
                           SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a WHERE a.grantee = 0))
                    || ', xact locks ' || (SELECT count(*) FILTER (WHERE has_function_privilege('eryao_reader', x.oid, 'EXECUTE'))
                                           || ' of ' || count(*) FROM pg_proc x
                                           WHERE x.proname IN ('pg_advisory_xact_lock', 'pg_try_advisory_xact_lock'))
                FROM pg_proc p
                WHERE p.pronamespace = 'pg_catalog'::regnamespace
                  AND p.proname IN ('pg_logical_emit_message', 'pg_advisory_lock', 'pg_advisory_lock_shared',
                                    'pg_try_advisory_lock', 'pg_try_advisory_lock_shared')""");
    }

    /** The reader's settings in the connection's database (ALTER ROLE ... IN DATABASE). */
    private static String roleSettings(Connection connection) throws SQLException {
        return one(
                connection,
                "SELECT (SELECT s.setconfig::text FROM pg_db_role_setting s, pg_database d"
                        + " WHERE s.setrole = 'eryao_reader'::regrole AND s.setdatabase = d.oid AND d.datname = current_database())");
    }

    /** What was granted to the reader in the connection's database (its own grants, not PUBLIC's). */
    private static String privileges(Connection connection) throws SQLException {
        return one(connection, """
                SELECT 'connect ' || EXISTS (SELECT 1 FROM pg_database d, aclexplode(d.datacl) a
                                             WHERE d.datname = current_database() AND a.grantee = 'eryao_reader'::regrole)
                    || ', usage ' || EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(n.nspacl) a
                                             WHERE n.nspname = 'public' AND a.grantee = 'eryao_reader'::regrole)
                    || ', select on llms ' || has_table_privilege('eryao_reader', 'public.llms', 'SELECT')
                    || ', default acl ' || (SELECT count(*) FROM pg_default_acl d, aclexplode(d.defaclacl) a
                                            WHERE a.grantee = 'eryao_reader'::regrole)""");
    }

    private static String script(String resource) throws Exception {
        return Files.readString(Path.of(
                ReadOnlyRoleRevisionTest.class.getResource("/" + resource).toURI()));
    }
}
