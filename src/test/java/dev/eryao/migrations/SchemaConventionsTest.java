package dev.eryao.migrations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reads the live catalog after every revision has run and fails on any break of the seed's
 * conventions, so a new revision cannot slip one in. Flyway's own history table is exempt from
 * the naming and type rules (its shape is Flyway's), not from RLS.
 */
class SchemaConventionsTest {
    private static final String TOOL_TABLE = Migrations.HISTORY_TABLE;

    @Test
    void everyTableInPublicHasRowLevelSecurityEnabled() throws SQLException {
        List<String> withoutRls = strings("""
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity""");

        assertThat(withoutRls).isEmpty();
        assertThat(strings("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
                .contains(
                        "llm_factory",
                        "llms",
                        "agent_chat_session",
                        "agent_chat_message",
                        "agent_run",
                        "points_ledger",
                        "points_balance",
                        TOOL_TABLE);
    }

    @Test
    void everyTimestampColumnIsTimezoneAware() throws SQLException {
        List<String> naive = strings("""
                SELECT table_name || '.' || column_name FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name <> '%s'
                  AND (data_type = 'timestamp without time zone'
                       OR (column_name LIKE '%%\\_at' AND data_type <> 'timestamp with time zone'))
                """.formatted(TOOL_TABLE));

        assertThat(naive).isEmpty();
    }

    @Test
    void everyPrimaryKeyIsASingleUuidColumnNamedId() throws SQLException {
        List<String> offending = strings("""
                SELECT c.relname || ' (' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ') || ')'
                FROM pg_constraint k
                JOIN pg_class c ON c.oid = k.conrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (k.conkey)
                WHERE k.contype = 'p' AND n.nspname = 'public' AND c.relname <> '%s'
                GROUP BY c.relname
                HAVING count(*) <> 1 OR bool_or(a.attname <> 'id') OR bool_or(a.atttypid <> 'uuid'::regtype)
                """.formatted(TOOL_TABLE));
        List<String> withoutPrimaryKey = strings("""
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind = 'r'
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')""");

        assertThat(offending).isEmpty();
        assertThat(withoutPrimaryKey).isEmpty();
    }

    @Test
    void everyIndexIsNamedForItsTableAndColumns() throws SQLException {
        List<String> misnamed = new ArrayList<>();
        try (Connection connection = TestDatabase.get().connection();
                Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery("""
                     SELECT t.relname AS table_name, i.relname AS index_name, x.indisprimary,
                            string_agg(a.attname, '_' ORDER BY k.ord) AS columns
                     FROM pg_index x
                     JOIN pg_class i ON i.oid = x.indexrelid
                     JOIN pg_class t ON t.oid = x.indrelid
                     JOIN pg_namespace n ON n.oid = t.relnamespace
                     CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                     WHERE n.nspname = 'public' AND t.relname <> '%s'
                     GROUP BY t.relname, i.relname, x.indisprimary""".formatted(TOOL_TABLE))) {
            while (rows.next()) {
                String table = rows.getString("table_name");
                String expected = rows.getBoolean("indisprimary")
                        ? "pk_" + table
                        : "ix_" + table + "_" + rows.getString("columns");
                if (!rows.getString("index_name").equals(expected)) {
                    misnamed.add(rows.getString("index_name") + " (expected " + expected + ")");
                }
            }
        }

        assertThat(misnamed).isEmpty();
    }

    @Test
    void everyForeignKeyIsNamedForItsTableAndColumnAndPointsFromAnEntityIdColumn() throws SQLException {
        List<String> misnamed = strings("""
                SELECT k.conname FROM pg_constraint k
                JOIN pg_class c ON c.oid = k.conrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.conkey[1]
                WHERE k.contype = 'f' AND n.nspname = 'public'
                  AND (k.conname <> 'fk_' || c.relname || '_' || a.attname OR a.attname NOT LIKE '%\\_id')""");

        assertThat(misnamed).isEmpty();
    }

    @Test
    void everyTableNameAndColumnNameIsSnakeCase() throws SQLException {
        List<String> offending = strings("""
                SELECT table_name || '.' || column_name FROM information_schema.columns
                WHERE table_schema = 'public' AND (table_name !~ '^[a-z][a-z0-9_]*$' OR column_name !~ '^[a-z][a-z0-9_]*$')""");

        assertThat(offending).isEmpty();
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
}
