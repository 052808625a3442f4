package dev.eryao.migrations;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks of Supabase's database advisor (its Security and Performance Advisors) that a schema
 * of ours must never trip, read from the catalog of the connected database: each finding names
 * the lint as Supabase names it, the object, and the fix. Generic catalog queries over the schema
 * Supabase's Data API exposes ({@code public}), so they hold for whatever tables later revisions
 * add. {@code bin/eryao doctor} prints them; the suite requires none at head.
 */
public final class Advisor {
    /** One thing the advisor would warn about. */
    public record Finding(String lint, String object, String fix) {
        @Override
        public String toString() {
            return lint + " " + object + ": " + fix;
        }
    }

    private record Check(String lint, String sql) {}

    /** Each query returns (object, fix) rows, one per offending object. */
    private static final List<Check> CHECKS = List.of(
            new Check("rls_disabled_in_public", """
                    SELECT 'table public.' || quote_ident(c.relname),
                           'ALTER TABLE public.' || quote_ident(c.relname) || ' ENABLE ROW LEVEL SECURITY'
                    FROM pg_class c
                    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity"""),
            new Check("policy_exists_rls_disabled", """
                    SELECT DISTINCT 'table public.' || quote_ident(c.relname),
                           'ALTER TABLE public.' || quote_ident(c.relname) || ' ENABLE ROW LEVEL SECURITY (its policies do nothing without it)'
                    FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
                    WHERE c.relnamespace = 'public'::regnamespace AND NOT c.relrowsecurity"""),
            new Check("function_search_path_mutable", """
                    SELECT 'function public.' || p.oid::regprocedure::text,
                           'ALTER FUNCTION public.' || p.oid::regprocedure::text || ' SET search_path = '''''
                    FROM pg_proc p
                    WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p')
                      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
                      AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) s WHERE s LIKE 'search_path=%')"""),
            new Check("security_definer_function_executable", """
                    SELECT 'function public.' || p.oid::regprocedure::text || ' (executable by ' || r.rolname || ')',
                           'REVOKE EXECUTE ON FUNCTION public.' || p.oid::regprocedure::text
                               || ' FROM PUBLIC, anon, authenticated, or make it SECURITY INVOKER'
                    FROM pg_proc p CROSS JOIN pg_roles r
                    WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
                      AND r.rolname IN ('anon', 'authenticated') AND has_function_privilege(r.oid, p.oid, 'EXECUTE')"""),
            new Check("security_definer_view", """
                    SELECT 'view public.' || quote_ident(c.relname),
                           'ALTER VIEW public.' || quote_ident(c.relname) || ' SET (security_invoker = on)'
                    FROM pg_class c
                    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v'
                      AND NOT coalesce(c.reloptions && ARRAY['security_invoker=true', 'security_invoker=on', 'security_invoker=1'], false)"""),
            new Check("unindexed_foreign_keys", """
                    SELECT 'foreign key ' || quote_ident(k.conname) || ' on public.' || quote_ident(c.relname),
                           'CREATE INDEX ix_' || c.relname || '_'
                               || (SELECT string_agg(a.attname, '_' ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY u(attnum, ord)
                                   JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum)
                               || ' ON ' || quote_ident(c.relname) || ' ('
                               || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY u(attnum, ord)
                                   JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum) || ')'
                    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                    WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace
                      -- Any index whose leading columns are the key's covers it, partial ones too (as Supabase counts).
                      AND NOT EXISTS (
                          SELECT 1 FROM pg_index i
                          WHERE i.indrelid = k.conrelid
                            AND i.indnkeyatts >= cardinality(k.conkey)
                            AND (SELECT array_agg(x ORDER BY x) FROM unnest((i.indkey::int2[])[0:cardinality(k.conkey) - 1]) x)
                                = (SELECT array_agg(x ORDER BY x) FROM unnest(k.conkey) x))"""),
            new Check("duplicate_index", """
                    SELECT 'indexes ' || string_agg(quote_ident(i.relname), ', ' ORDER BY i.relname) || ' on public.' || quote_ident(t.relname),
                           'DROP INDEX all but one of them: they are the same index'
                    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                    WHERE t.relnamespace = 'public'::regnamespace
                    GROUP BY t.relname, x.indrelid, x.indkey::text, x.indclass::text, x.indcollation::text, x.indoption::text,
                             coalesce(pg_get_expr(x.indexprs, x.indrelid), ''), coalesce(pg_get_expr(x.indpred, x.indrelid), ''),
                             x.indisunique
                    HAVING count(*) > 1"""),
            new Check("multiple_permissive_policies", """
                    WITH expanded AS (
                        SELECT c.relname, p.polname,
                               CASE WHEN r.role = 0 THEN 'public' ELSE r.role::regrole::text END AS role_name,
                               unnest(CASE p.polcmd WHEN '*' THEN ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']
                                                    WHEN 'r' THEN ARRAY['SELECT'] WHEN 'a' THEN ARRAY['INSERT']
                                                    WHEN 'w' THEN ARRAY['UPDATE'] ELSE ARRAY['DELETE'] END) AS action
                        FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid CROSS JOIN unnest(p.polroles) r(role)
                        WHERE c.relnamespace = 'public'::regnamespace AND p.polpermissive)
                    SELECT 'table public.' || quote_ident(relname) || ' for ' || role_name || ' ' || action || ' ('
                               || string_agg(polname, ', ' ORDER BY polname) || ')',
                           'merge them into one policy (each permissive policy is evaluated for every row)'
                    FROM expanded GROUP BY relname, role_name, action HAVING count(*) > 1"""),
            new Check("no_primary_key", """
                    SELECT 'table public.' || quote_ident(c.relname),
                           'ALTER TABLE public.' || quote_ident(c.relname) || ' ADD CONSTRAINT pk_' || c.relname || ' PRIMARY KEY (...)'
                    FROM pg_class c
                    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')"""),
            new Check("extension_in_public", """
                    SELECT 'extension ' || quote_ident(e.extname),
                           'ALTER EXTENSION ' || quote_ident(e.extname) || ' SET SCHEMA extensions'
                    FROM pg_extension e WHERE e.extnamespace = 'public'::regnamespace"""));

    /** What policies are read for the per-row function calls (auth_rls_initplan). */
    private static final String POLICIES = """
            SELECT 'policy ' || quote_ident(p.polname) || ' on public.' || quote_ident(c.relname),
                   coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
            FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
            WHERE c.relnamespace = 'public'::regnamespace""";

    /** auth.uid(), auth.jwt(), auth.role(), auth.email(), current_setting(...): evaluated per row unless wrapped. */
    private static final Pattern PER_ROW_CALL = Pattern.compile("\\b(auth\\.\\w+|current_setting)\\s*\\(");

    private static final Pattern WRAPPED_CALL = Pattern.compile("\\bselect\\s+(auth\\.\\w+|current_setting)\\s*\\(");

    private Advisor() {}

    /** Every finding in the connected database, grouped by lint; empty when the schema is clean. */
    public static List<Finding> findings(Connection connection) throws SQLException {
        List<Finding> findings = new ArrayList<>();
        try (Statement statement = connection.createStatement()) {
            for (Check check : CHECKS) {
                try (ResultSet rows = statement.executeQuery(check.sql())) {
                    while (rows.next()) {
                        findings.add(new Finding(check.lint(), rows.getString(1), rows.getString(2)));
                    }
                }
            }
            try (ResultSet rows = statement.executeQuery(POLICIES)) {
                while (rows.next()) {
                    String expression = rows.getString(2).toLowerCase(Locale.ROOT);
                    if (count(PER_ROW_CALL, expression) > count(WRAPPED_CALL, expression)) {
                        findings.add(new Finding(
                                "auth_rls_initplan",
                                rows.getString(1),
                                "wrap each auth.<function>() and current_setting() call in a scalar subquery,"
                                        + " e.g. (select auth.uid()), so it runs once per statement, not per row"));
                    }
                }
            }
        }
        if (!connection.getAutoCommit()) {
            connection.rollback();
        }
        return findings;
    }

    private static int count(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }
}
