package dev.eryao.cli.doctor;

import java.util.List;

/**
 * RLS on every table in {@code public}: Supabase's Data API serves that schema to anyone holding
 * the anon key, and its default privileges give anon ALL on every table there, so a table without
 * RLS is open to the world.
 */
final class RowLevelSecurityCheck implements Check {
    @Override
    public String name() {
        return "row level security";
    }

    @Override
    public Finding run(DoctorContext context) throws Exception {
        List<String> open = Sql.rows(context.database().dataSource(), """
                SELECT c.relname FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity
                ORDER BY c.relname""", row -> row.getString(1));
        int tables = Sql.one(context.database().dataSource(), """
                SELECT count(*) FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')""", row -> row.getInt(1));
        if (open.isEmpty()) {
            return Finding.ok("on for all " + tables + " table(s) in public");
        }
        return Finding.failed(
                "off for " + String.join(", ", open) + " in public (readable and writable with the anon key)",
                "ALTER TABLE <table> ENABLE ROW LEVEL SECURITY for each, in a new revision");
    }
}
