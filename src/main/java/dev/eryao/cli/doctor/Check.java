package dev.eryao.cli.doctor;

/**
 * One thing {@code eryao doctor} checks about the configured deployment. Each check is a small
 * object of its own so the list can grow (the lead adds Supabase's advisor conditions as one more).
 * A check that throws counts as {@link Finding.Status#FAILED} with the exception's message.
 */
public interface Check {
    /** A short name for the line, such as {@code server} or {@code row level security}. */
    String name();

    Finding run(DoctorContext context) throws Exception;
}
