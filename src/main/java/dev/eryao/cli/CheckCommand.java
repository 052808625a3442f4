package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import dev.eryao.migrations.autogen.Autogenerate;
import dev.eryao.migrations.autogen.Change;
import dev.eryao.models.Models;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code eryao check}: exit 0 when the models and the database at head agree, 1 listing what differs. */
@Command(
        name = "check",
        description = "Compare the models with the database at head: exit 0 when they agree,"
                + " 1 (listing the differences) when `revision --autogenerate` would write something. For CI.")
final class CheckCommand extends DatabaseCommand {
    @Override
    int run(Database database, PrintWriter out) {
        List<Change> changes = new Autogenerate(database, new Migrations(database, line -> {}), Models.ALL).compare();
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
