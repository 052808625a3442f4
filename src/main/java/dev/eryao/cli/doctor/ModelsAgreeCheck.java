package dev.eryao.cli.doctor;

import dev.eryao.migrations.Migrations;
import dev.eryao.migrations.autogen.Autogenerate;
import dev.eryao.migrations.autogen.Change;
import dev.eryao.models.Models;
import java.util.List;
import java.util.stream.Collectors;

/** The models and the database agree (what {@code eryao check} compares); needs the schema at head. */
final class ModelsAgreeCheck implements Check {
    @Override
    public String name() {
        return "models";
    }

    @Override
    public Finding run(DoctorContext context) {
        Migrations migrations = new Migrations(context.database(), line -> {});
        if (migrations.history().stream().anyMatch(entry -> !entry.applied())) {
            return Finding.failed("not compared: the schema is not at head", "migrate first (see the schema line)");
        }
        List<Change> changes = new Autogenerate(context.database(), migrations, Models.ALL).compare();
        if (changes.isEmpty()) {
            return Finding.ok("the models and the database agree");
        }
        return Finding.failed(
                changes.size() + " difference(s): "
                        + changes.stream().map(Change::summary).collect(Collectors.joining("; ")),
                "bin/eryao check lists them; write a revision (bin/eryao revision --autogenerate -m \"...\")");
    }
}
