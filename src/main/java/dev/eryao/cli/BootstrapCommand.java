package dev.eryao.cli;

import dev.eryao.core.db.Database;
import dev.eryao.migrations.Migrations;
import dev.eryao.migrations.SeedData;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code eryao bootstrap}: {@code migrate} then {@code init-data}. */
@Command(name = "bootstrap", description = "Apply pending revisions, then seed data.")
final class BootstrapCommand extends DatabaseCommand {
    @Override
    int run(Database database, PrintWriter out) {
        out.println("database: " + database.settings().describe());
        Migrations migrations = new Migrations(database, out::println);
        int revisions = migrations.migrate().migrationsExecuted;
        int seeds = new SeedData(database, out::println).apply();
        out.println(
                "at " + migrations.current() + " (" + revisions + " revision(s) and " + seeds + " seed(s) applied)");
        return Main.OK;
    }
}
