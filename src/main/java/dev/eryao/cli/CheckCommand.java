package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import dev.eryao.migrations.autogen.Autogenerate;
import dev.eryao.migrations.autogen.Change;
import dev.eryao.models.Models;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code eryao check}: exit 0 when the models and the database at head agree, 1 listing what differs. */
@Command(name = "check", description = {
        "Compare the models with the database at head: exit 0 when they agree, 1 (listing the",
        "differences) when `revision --autogenerate` would write something. For CI."})
final class CheckCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Database database = Database.open(main.settings())) {
            List<Change> changes = new Autogenerate(database, new Migrations(database, line -> { }), Models.ALL).compare();
            if (changes.isEmpty()) {
                out.println("models and database agree");
                return Main.OK;
            }
            out.println(changes.size() + " difference(s) between the models and the database:");
            changes.forEach(change -> out.println("  " + change.summary() + (change.dangerous() ? "  (REVIEW)" : "")));
            out.println("run `eryao revision --autogenerate -m \"...\"` to write them as a revision");
            return Main.FAILED;
        }
    }
}
