package dev.eryao.cli.doctor;

import dev.eryao.migrations.RevisionCatalog;
import dev.eryao.migrations.SchemaStatus;

/** The schema is at the newest revision this build carries (what {@code eryao current} shows). */
final class SchemaAtHeadCheck implements Check {
    @Override
    public String name() {
        return "schema";
    }

    @Override
    public Finding run(DoctorContext context) {
        SchemaStatus.State state = new SchemaStatus(context.database()).read();
        String head =
                RevisionCatalog.load().head().map(revision -> revision.id()).orElse("base");
        if (state.atHead()) {
            return Finding.ok("at head (" + state.current() + ")");
        }
        return Finding.failed(
                "at " + state.current() + ", not at head " + head
                        + " (revisions pending, edited or unknown to this build)",
                "bin/eryao migrate, through a direct connection or the session pooler (port 5432);"
                        + " bin/eryao history shows each revision's state");
    }
}
