package dev.eryao.support;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Everything the application's schema consists of, read from PostgreSQL's catalog as sorted
 * lines, so two databases (or one before and after a round trip) compare as equal lists.
 * Flyway's history table is left out: it records the schema's story, not its shape.
 */
public final class CatalogSnapshot {
    private static final String HISTORY = "flyway_schema_history";

    private static final List<String> QUERIES = List.of(
            // tables and their RLS switches
            """
            SELECT 'table ' || c.relname || ' rls=' || c.relrowsecurity || ' force=' || c.relforcerowsecurity
                   || ' comment=' || coalesce(obj_description(c.oid, 'pg_class'), '')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relname <> '%1$s'""",
            // columns: type, nullability, default (not position: PostgreSQL appends a re-added column)
            """
            SELECT 'column ' || c.relname || '.' || a.attname || ' '
                   || format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull
                   || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
              AND c.relname <> '%1$s'""",
            // constraints, with their definitions
            """
            SELECT 'constraint ' || c.relname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid)
            FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relname <> '%1$s'""",
            // indexes, with their definitions (partial predicates included)
            """
            SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '%1$s'""",
            // policies
            """
            SELECT 'policy ' || tablename || '.' || policyname || ' ' || cmd || ' ' || roles::text || ' '
                   || coalesce(qual, '') || ' ' || coalesce(with_check, '')
            FROM pg_policies WHERE schemaname = 'public'""",
            // triggers
            """
            SELECT 'trigger ' || pg_get_triggerdef(t.oid)
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND NOT t.tgisinternal""",
            // functions
            """
            SELECT 'function ' || pg_get_functiondef(p.oid)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'""",
            // who may do what on which table, and what future tables grant
            """
            SELECT 'grant ' || grantee || ' ' || privilege_type || ' on ' || table_name
            FROM information_schema.role_table_grants WHERE table_schema = 'public' AND table_name <> '%1$s'""",
            """
            SELECT 'default privileges ' || defaclrole::regrole::text || ' ' || defaclobjtype::text || ' '
                   || coalesce(defaclnamespace::regnamespace::text, '') || ' ' || defaclacl::text
            FROM pg_default_acl""",
            """
            SELECT 'schema usage ' || nspname || ' ' || coalesce(nspacl::text, '')
            FROM pg_namespace WHERE nspname = 'public'""",
            // built-in functions PUBLIC may not call here (revision 20261125_0002 revokes some)
            """
            SELECT 'not executable by PUBLIC ' || p.oid::regprocedure::text
            FROM pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace
              AND NOT EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                              WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')""",
            // settings roles get in this database (ALTER ROLE ... IN DATABASE)
            """
            SELECT 'role settings ' || coalesce(r.rolname, 'every role') || ' ' || s.setconfig::text
            FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole
            WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())""");

    private CatalogSnapshot() {}

    public static List<String> of(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return of(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the catalog", e);
        }
    }

    public static List<String> of(Connection connection) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Statement statement = connection.createStatement()) {
            for (String query : QUERIES) {
                try (ResultSet rows = statement.executeQuery(query.formatted(HISTORY))) {
                    while (rows.next()) {
                        lines.add(rows.getString(1));
                    }
                }
            }
        }
        if (!connection.getAutoCommit()) {
            connection.rollback();
        }
        lines.sort(null);
        return lines;
    }
}
