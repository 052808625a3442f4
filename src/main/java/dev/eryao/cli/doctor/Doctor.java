package dev.eryao.cli.doctor;

import java.io.PrintWriter;
import java.util.List;

/** Runs checks in order, one line each, and says whether any failed (warnings do not fail). */
public final class Doctor {
    private final List<Check> checks;

    public Doctor(List<Check> checks) {
        this.checks = List.copyOf(checks);
    }

    /** Every check, in the order a team would fix what they find. */
    public static List<Check> standardChecks() {
        return List.of(
                new ServerVersionCheck(),
                new ConnectionKindCheck(),
                new LoginRoleCheck(),
                new SchemaAtHeadCheck(),
                new ModelsAgreeCheck(),
                new RowLevelSecurityCheck(),
                new AdvisorCheck(),
                new StatementTimeoutCheck(),
                new ListenCheck(),
                new ReaderRoleCheck(),
                new AuthKeysCheck());
    }

    /** @return true when no check failed */
    public boolean run(DoctorContext context, PrintWriter out) {
        boolean healthy = true;
        for (Check check : checks) {
            Finding finding = runOne(check, context);
            healthy &= finding.status() != Finding.Status.FAILED;
            out.println(finding.line(check.name()));
            out.flush();
        }
        return healthy;
    }

    private static Finding runOne(Check check, DoctorContext context) {
        try {
            return check.run(context);
        } catch (Exception e) {
            String message = e.getMessage() == null
                    ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("").strip();
            return Finding.failed("could not check: " + message, "see the message; the other checks still ran");
        }
    }
}
