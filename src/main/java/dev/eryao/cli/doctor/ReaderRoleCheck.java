package dev.eryao.cli.doctor;

import dev.eryao.core.config.ToolsSettings;
import dev.eryao.tools.ReadOnlyAccess;
import dev.eryao.tools.ToolException;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The read-only role {@code sql} and {@code mcp} log in as: it can log in, passes the tools' own
 * guard (read-only transaction, no privileged attributes, no role memberships), and can read the
 * tables in {@code public}.
 */
final class ReaderRoleCheck implements Check {
    @Override
    public String name() {
        return "reader role";
    }

    @Override
    public Finding run(DoctorContext context) {
        ToolsSettings tools = context.settings().tools();
        List<String> unreadable;
        try {
            unreadable = ReadOnlyAccess.of(context.database(), tools).run(connection -> {
                List<String> names = new ArrayList<>();
                try (Statement statement = connection.createStatement();
                        ResultSet rows = statement.executeQuery("""
                             SELECT c.relname FROM pg_class c
                             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v')
                               AND NOT has_table_privilege(c.oid, 'SELECT')
                             ORDER BY c.relname""")) {
                    while (rows.next()) {
                        names.add(rows.getString(1));
                    }
                }
                return names;
            });
        } catch (ToolException e) {
            if (e.getMessage().contains("refusing to run")) {
                // The backend serves without its data tools: a warning, not a failure (on Supabase it
                // is always so, as no user there is a superuser).
                return Finding.warning(
                        "the data tools are off: " + e.getMessage(),
                        "a superuser must apply revisions"
                                + " 20261125_0002 and 20261201_0001 (their REVOKEs and temp_file_limit; on Supabase nobody can;"
                                + " use its SQL editor)");
            }
            return Finding.failed(
                    e.getMessage(),
                    "create the role with bin/eryao migrate, give it a password" + " (ALTER ROLE " + tools.readerUser()
                            + " PASSWORD ...) and set ERYAO_TOOLS__READER_PASSWORD");
        }
        if (!unreadable.isEmpty()) {
            return Finding.warning(
                    tools.readerUser() + " logs in read-only but cannot read " + String.join(", ", unreadable),
                    "GRANT SELECT ON <table> TO " + tools.readerUser() + " in a new revision");
        }
        return Finding.ok(tools.readerUser() + " logs in, read-only, and reads every table in public");
    }
}
