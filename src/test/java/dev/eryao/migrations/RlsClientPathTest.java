package dev.eryao.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.eryao.core.db.Database;
import dev.eryao.support.SupabaseLayout;
import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The RLS policies as a Supabase client meets them: logged in as {@code authenticator} and switched,
 * per transaction, to {@code anon} or {@code authenticated} with the JWT's claims set the way
 * PostgREST sets them ({@code request.jwt.claims}, or the older {@code request.jwt.claim.sub}).
 * Only on the Supabase layout ({@code ERYAO_TEST__LAYOUT=supabase}), where those roles exist with
 * Supabase's default privileges; the tables are found in the catalog, so new ones are covered.
 */
class RlsClientPathTest {
    private static final UUID OWNER = UUID.randomUUID();
    private static final UUID STRANGER = UUID.randomUUID();
    private static final String SQLSTATE_INSUFFICIENT_PRIVILEGE = "42501";

    @BeforeAll
    static void onlyOnTheSupabaseLayout() throws SQLException {
        assumeTrue(TestDatabase.get().supabaseLayout(), "needs ERYAO_TEST__LAYOUT=supabase");
        // A row in every owner table for OWNER, and a live and a retired model in the catalog.
        try (Connection connection = TestDatabase.get().connection();
                Statement sql = connection.createStatement()) {
            String factory = "rls-" + UUID.randomUUID();
            sql.execute("""
                    WITH f AS (INSERT INTO llm_factory (name) VALUES ('%1$s') RETURNING id),
                         live AS (INSERT INTO llms (factory_id, model_code, display_name, request_url,
                                                    input_price_per_1k, output_price_per_1k)
                                  SELECT id, '%1$s-live', 'live', 'http://127.0.0.1:9/', 1, 1 FROM f RETURNING id),
                         retired AS (INSERT INTO llms (factory_id, model_code, display_name, request_url,
                                                       input_price_per_1k, output_price_per_1k, is_active)
                                     SELECT id, '%1$s-retired', 'retired', 'http://127.0.0.1:9/', 1, 1, false FROM f),
                         s AS (INSERT INTO agent_chat_session (owner_id, title, llm_id)
                               SELECT '%2$s', 'mine', id FROM live RETURNING id),
                         m AS (INSERT INTO agent_chat_message (session_id, owner_id, role, content)
                               SELECT id, '%2$s', 'user', 'hello' FROM s),
                         r AS (INSERT INTO agent_run (session_id, owner_id, input) SELECT id, '%2$s', 'hello' FROM s
                               RETURNING id),
                         d AS (INSERT INTO agent_run_delta (run_id, owner_id, attempt, delta_index, content)
                               SELECT id, '%2$s', 1, 0, 'Hel' FROM r),
                         st AS (INSERT INTO agent_run_step (run_id, owner_id, attempt, step_index, kind,
                                                            started_at, finished_at)
                                SELECT id, '%2$s', 1, 0, 'model', now(), now() FROM r),
                         l AS (INSERT INTO points_ledger (owner_id, amount, balance_after, reason)
                               VALUES ('%2$s', 10, 10, 'grant')),
                         t AS (INSERT INTO stream_ticket (owner_id, stream_path, ticket_hash, expires_at)
                               VALUES ('%2$s', '/v1/agent/runs/x/events', 'hash', now() + interval '1 minute'))
                    INSERT INTO points_balance (owner_id, balance) VALUES ('%2$s', 10)""".formatted(factory, OWNER));
        }
    }

    @Test
    void aStrangerSeesNoneOfAnOwnersRowsAndTheOwnerSeesThemAll() throws SQLException {
        for (String table : tablesWithColumn("owner_id")) {
            long owned = count("SELECT count(*) FROM public." + table + " WHERE owner_id = '" + OWNER + "'"
                    + (hasColumn(table, "deleted_at") ? " AND deleted_at IS NULL" : ""));
            assertThat(owned)
                    .as("the fixture wrote %s a row in %s", OWNER, table)
                    .isPositive();

            assertThat(asClient("authenticated", claims(STRANGER), "SELECT count(*) FROM public." + table))
                    .as("%s as another user", table)
                    .isZero();
            assertThat(asClient(
                            "authenticated",
                            claims(OWNER),
                            "SELECT count(*) FROM public." + table + " WHERE owner_id = '" + OWNER + "'"))
                    .as("%s as its owner", table)
                    .isEqualTo(owned);
            assertThat(asClientWithOldClaim(
                            OWNER, "SELECT count(*) FROM public." + table + " WHERE owner_id = '" + OWNER + "'"))
                    .as("%s as its owner, request.jwt.claim.sub", table)
                    .isEqualTo(owned);
            assertThat(asClient("anon", anonClaims(), "SELECT count(*) FROM public." + table))
                    .as("%s as anon", table)
                    .isZero();
        }
    }

    @Test
    void anonSeesTheLiveCatalogOnlyAndNothingElse() throws SQLException {
        assertThat(asClient("anon", anonClaims(), "SELECT count(*) FROM llm_factory"))
                .isEqualTo(count("SELECT count(*) FROM llm_factory WHERE deleted_at IS NULL"))
                .isPositive();
        assertThat(asClient("anon", anonClaims(), "SELECT count(*) FROM llms"))
                .isEqualTo(count("SELECT count(*) FROM llms WHERE deleted_at IS NULL AND is_active"));
        assertThat(count("SELECT count(*) FROM llms WHERE NOT is_active"))
                .as("a retired model exists")
                .isPositive();
        for (String table : allTables()) {
            // The migration history refuses them outright (the next tests).
            if (!List.of("llm_factory", "llms", Migrations.HISTORY_TABLE).contains(table)) {
                assertThat(asClient("anon", anonClaims(), "SELECT count(*) FROM public." + table))
                        .as("anon reading %s", table)
                        .isZero();
            }
        }
    }

    @Test
    void everyWriteToEveryTableIsRefusedForBothApiRolesAndChangesNothing() throws SQLException {
        for (String table : allTables()) {
            long before = count("SELECT count(*) FROM public." + table);
            String column = firstColumn(table);
            for (String role : List.of("anon", "authenticated")) {
                String claims = role.equals("anon") ? anonClaims() : claims(OWNER);
                for (String write : List.of(
                        "INSERT INTO public." + table + " DEFAULT VALUES",
                        "UPDATE public." + table + " SET " + column + " = " + column,
                        "DELETE FROM public." + table,
                        "TRUNCATE public." + table)) {
                    assertThatThrownBy(() -> asClient(role, claims, write))
                            .as("%s: %s", role, write)
                            .isInstanceOf(SQLException.class)
                            .extracting(e -> ((SQLException) e).getSQLState())
                            .isEqualTo(SQLSTATE_INSUFFICIENT_PRIVILEGE);
                }
            }
            assertThat(count("SELECT count(*) FROM public." + table))
                    .as("rows of %s", table)
                    .isEqualTo(before);
        }
    }

    @Test
    void nothingInPublicIsOpenToTheApiRolesWithoutRls() throws SQLException {
        assertThat(strings("""
                SELECT c.relname || ' to ' || r.rolname FROM pg_class c CROSS JOIN pg_roles r
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                  AND r.rolname IN ('anon', 'authenticated') AND NOT c.relrowsecurity
                  AND has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                """)).isEmpty();
        assertThat(strings("""
                SELECT r.rolname FROM pg_roles r WHERE r.rolname IN ('anon', 'authenticated')
                  AND has_table_privilege(r.oid, 'public.flyway_schema_history',
                                          'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"""))
                .as("the migration history is closed to the API roles")
                .isEmpty();
    }

    @Test
    void afterAFailedFirstMigrateTheHistoryIsClosedToTheAnonKey() throws SQLException {
        try (Database database = TestDatabase.get().freshDatabase()) {
            Migrations failing =
                    new Migrations(database, RevisionCatalog.load(List.of("db/testing/failing")), line -> {});
            assertThatThrownBy(failing::migrate).isInstanceOf(MigrationFailedException.class);
            String name = database.settings().name();
            for (String write : List.of(
                    "SELECT count(*) FROM public.flyway_schema_history",
                    "DELETE FROM public.flyway_schema_history",
                    "TRUNCATE public.flyway_schema_history")) {
                assertThatThrownBy(() -> asClientIn(name, "anon", anonClaims(), write))
                        .as(write)
                        .isInstanceOf(SQLException.class)
                        .extracting(e -> ((SQLException) e).getSQLState())
                        .isEqualTo(SQLSTATE_INSUFFICIENT_PRIVILEGE);
            }
        }
    }

    private static String claims(UUID user) {
        return "{\"sub\":\"" + user + "\",\"aud\":\"authenticated\",\"role\":\"authenticated\",\"is_anonymous\":false}";
    }

    private static String anonClaims() {
        return "{\"iss\":\"supabase\",\"ref\":\"test\",\"role\":\"anon\"}";
    }

    private static long asClient(String role, String claims, String query) throws SQLException {
        return asClientIn(TestDatabase.get().sessionSettings().name(), role, claims, query);
    }

    /** One request as PostgREST makes it: a transaction, the claims and the role set local to it. */
    private static long asClientIn(String database, String role, String claims, String query) throws SQLException {
        try (Connection connection = authenticator(database)) {
            connection.setAutoCommit(false);
            try (PreparedStatement request = connection.prepareStatement("""
                    SELECT set_config('request.jwt.claims', ?, true), set_config('request.method', 'GET', true),
                           set_config('request.path', '/rest/v1/probe', true)""");
                    Statement sql = connection.createStatement()) {
                request.setString(1, claims);
                request.execute();
                sql.execute("SET LOCAL ROLE " + role);
                return single(sql, query);
            } finally {
                connection.rollback();
            }
        }
    }

    /** As older PostgREST versions did: one setting per claim. */
    private static long asClientWithOldClaim(UUID user, String query) throws SQLException {
        try (Connection connection =
                authenticator(TestDatabase.get().sessionSettings().name())) {
            connection.setAutoCommit(false);
            try (Statement sql = connection.createStatement()) {
                sql.execute("SELECT set_config('request.jwt.claim.sub', '" + user + "', true),"
                        + " set_config('request.jwt.claim.role', 'authenticated', true)");
                sql.execute("SET LOCAL ROLE authenticated");
                return single(sql, query);
            } finally {
                connection.rollback();
            }
        }
    }

    private static Connection authenticator(String database) throws SQLException {
        var server = TestDatabase.get().sessionSettings();
        return SupabaseLayout.connect(server.host(), server.port(), database, "authenticator");
    }

    /** A count, or 0 for a statement that returns no rows (a write that went through). */
    private static long single(Statement sql, String query) throws SQLException {
        if (!sql.execute(query)) {
            return 0;
        }
        try (ResultSet row = sql.getResultSet()) {
            return row.next() ? row.getLong(1) : 0;
        }
    }

    private static long count(String query) throws SQLException {
        try (Connection connection = TestDatabase.get().connection();
                Statement sql = connection.createStatement();
                ResultSet row = sql.executeQuery(query)) {
            row.next();
            return row.getLong(1);
        }
    }

    private static List<String> strings(String query) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = TestDatabase.get().connection();
                Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery(query)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }

    private static List<String> allTables() throws SQLException {
        return strings("""
                SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')
                ORDER BY relname""");
    }

    private static List<String> tablesWithColumn(String column) throws SQLException {
        return strings("""
                SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                  AND a.attname = '%s' AND NOT a.attisdropped ORDER BY c.relname""".formatted(column));
    }

    private static boolean hasColumn(String table, String column) throws SQLException {
        return !strings("""
                SELECT attname FROM pg_attribute WHERE attrelid = 'public.%s'::regclass AND attname = '%s'
                  AND NOT attisdropped""".formatted(table, column)).isEmpty();
    }

    private static String firstColumn(String table) throws SQLException {
        return strings("""
                SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = 'public.%s'::regclass AND attnum > 0
                  AND NOT attisdropped ORDER BY attnum LIMIT 1""".formatted(table)).getFirst();
    }
}
