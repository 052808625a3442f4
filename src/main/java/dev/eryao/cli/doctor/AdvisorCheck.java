package dev.eryao.cli.doctor;

import dev.eryao.migrations.Advisor;
import java.sql.Connection;
import java.util.List;

/**
 * What Supabase's advisor (its Security and Performance Advisors) would warn about in the schema:
 * the same conditions, read from the catalog by {@link Advisor}, so a team sees them before the
 * dashboard does.
 */
final class AdvisorCheck implements Check {
    private static final int SHOWN = 5;

    @Override
    public String name() {
        return "advisor";
    }

    @Override
    public Finding run(DoctorContext context) throws Exception {
        List<Advisor.Finding> findings;
        try (Connection connection = context.database().dataSource().getConnection()) {
            findings = Advisor.findings(connection);
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        }
        if (findings.isEmpty()) {
            return Finding.ok("nothing Supabase's advisor warns about");
        }
        List<String> shown = findings.stream()
                .limit(SHOWN)
                .map(f -> f.lint() + " on " + f.object())
                .toList();
        return Finding.failed(
                findings.size() + " advisor finding(s): " + String.join("; ", shown)
                        + (findings.size() > SHOWN ? "; …" : ""),
                findings.getFirst().fix()
                        + (findings.size() > 1
                                ? " (and the like for the rest), in a new revision"
                                : ", in a new revision"));
    }
}
